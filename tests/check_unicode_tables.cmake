# Regenerates the Unicode tables into the build tree and compares them with the committed header.
if(NOT EXISTS "${UCD_DIR}/UnicodeData.txt")
    message("SKIPPED: the Unicode Character Database is not at ${UCD_DIR} (apt-get install unicode-data)")
    cmake_language(EXIT 77)
endif()
set(generated "${WORK_DIR}/unicode_data.hpp")
execute_process(COMMAND "${PYTHON}" "${SOURCE_DIR}/tools/gen_unicode_data.py" "${UCD_DIR}" "${generated}"
    RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "the generator failed")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${generated}"
    "${SOURCE_DIR}/include/ditto/text/unicode_data.hpp" RESULT_VARIABLE different)
if(different)
    message(FATAL_ERROR "include/ditto/text/unicode_data.hpp is not what tools/gen_unicode_data.py makes from ${UCD_DIR}")
endif()
