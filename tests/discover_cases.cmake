# Writes CTEST_FILE: one CTest entry per case that TEST_EXECUTABLE lists.
# Run after each build of the test binary, so a new case needs no CMake edit.
# Doctest's own discovery splits names at ';' (a CMake list separator), and
# some of our names hold one, so this script keeps each line whole.
execute_process(COMMAND "${TEST_EXECUTABLE}" --list-test-cases
  OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} --list-test-cases exited ${status}")
endif()

# A case name is a wildcard filter to doctest, and a filter matching nothing
# exits 0, so an entry passes only when exactly one case ran and passed.
# (Mutation tried: dropping the ',' escape below made the 11 cases whose
# names hold a comma run zero cases, and each failed.)
set(one_case_passed "test cases: +1 [|] +1 passed [|] +0 failed")
string(ASCII 1 semicolon_stand_in)
string(REPLACE ";" "${semicolon_stand_in}" listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")
set(script "")
foreach(line IN LISTS lines)
  if(line STREQUAL "" OR line MATCHES "^\\[doctest\\] " OR line MATCHES "^=+$")
    continue()
  endif()
  string(REPLACE "${semicolon_stand_in}" ";" name "${line}")
  string(REPLACE "," "\\," filter "${name}") # ',' separates doctest filters
  string(APPEND script
    "add_test([==[${name}]==] \"${TEST_EXECUTABLE}\" [==[--test-case=${filter}]==])\n"
    "set_tests_properties([==[${name}]==] PROPERTIES PASS_REGULAR_EXPRESSION \"${one_case_passed}\")\n")
endforeach()
file(WRITE "${CTEST_FILE}" "${script}")
