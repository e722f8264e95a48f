# Writes CTEST_FILE: one CTest entry per case that TEST_EXECUTABLE lists, each
# run by RUN_CASE (run_case.cmake). Run after each build of the test binary, so
# a new case needs no CMake edit. Doctest's own discovery splits names at ';'
# (a CMake list separator), and some of our names hold one, so this script
# keeps each line whole.
execute_process(COMMAND "${TEST_EXECUTABLE}" --list-test-cases
  OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} --list-test-cases exited ${status}")
endif()

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
    "add_test([==[${name}]==] \"${CMAKE_COMMAND}\" \"-DTEST_EXECUTABLE=${TEST_EXECUTABLE}\" "
    "[==[-DTEST_FILTER=${filter}]==] -P \"${RUN_CASE}\")\n")
endforeach()
file(WRITE "${CTEST_FILE}" "${script}")
