# Fails when the doctest binary lists fewer cases than the committed floor in
# FLOOR_FILE (raise the floor when cases are added).
# (Mutation tried: a floor of 40 over 39 cases failed.)
# Usage: cmake -DTEST_EXECUTABLE=... -DFLOOR_FILE=... -P check_case_count.cmake
execute_process(COMMAND "${TEST_EXECUTABLE}" --list-test-cases
  OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} --list-test-cases exited ${status}")
endif()
string(REGEX MATCH "test cases passing the current filters: ([0-9]+)" summary "${listing}")
if(NOT summary)
  message(FATAL_ERROR "no case count in the listing:\n${listing}")
endif()
set(count "${CMAKE_MATCH_1}")
file(READ "${FLOOR_FILE}" floor)
string(STRIP "${floor}" floor)
if(count LESS floor)
  message(FATAL_ERROR "${count} doctest cases, fewer than the floor of ${floor} in ${FLOOR_FILE}")
endif()
message(STATUS "${count} doctest cases (floor ${floor})")
if(count GREATER floor)
  message(STATUS "raise the floor in ${FLOOR_FILE} to ${count}")
endif()
