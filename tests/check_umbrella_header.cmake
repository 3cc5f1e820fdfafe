# ditto.hpp includes the whole library: every public header under include/ditto (all but
# detail/, which the public headers include themselves) is named in it.
# Run with -DSOURCE_DIR=<repository>.
file(GLOB_RECURSE headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/ditto/*.hpp")
file(READ "${SOURCE_DIR}/include/ditto/ditto.hpp" umbrella)
set(missing "")
foreach(header IN LISTS headers)
    if(header MATCHES "^ditto/detail/" OR header STREQUAL "ditto/ditto.hpp")
        continue()
    endif()
    string(FIND "${umbrella}" "#include <${header}>" at)
    if(at EQUAL -1)
        string(APPEND missing "\n  ${header}")
    endif()
endforeach()
if(missing)
    message(FATAL_ERROR "ditto/ditto.hpp does not include:${missing}")
endif()
