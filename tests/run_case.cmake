# Runs one doctest case and fails unless the binary exits 0 and doctest reports
# exactly one case run and passed: a case name is a wildcard filter, and a
# filter matching nothing exits 0; a sanitizer's leak report comes after
# doctest's summary and shows only in the exit status.
# (Mutations tried: dropping the ',' escape in discover_cases.cmake made every
# case whose name holds a comma run zero cases, and each failed; a test that
# leaks passed while only doctest's summary was checked, and fails now.)
# Usage: cmake -DTEST_EXECUTABLE=... -DTEST_FILTER=... -P run_case.cmake
execute_process(COMMAND "${TEST_EXECUTABLE}" "--test-case=${TEST_FILTER}"
  OUTPUT_VARIABLE output ERROR_VARIABLE output RESULT_VARIABLE status)
message("${output}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "the test binary exited with ${status}")
endif()
if(NOT output MATCHES "test cases: +1 [|] +1 passed [|] +0 failed")
  message(FATAL_ERROR "the filter did not run exactly one passing case")
endif()
