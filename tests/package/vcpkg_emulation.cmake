# Runs packaging/vcpkg/ports/ditto/portfile.cmake the way vcpkg would, without vcpkg: the vcpkg
# helper functions the port calls are defined here with the behaviour the port relies on, then the
# portfile is included as is. What vcpkg does besides (its toolchain, triplets, the ABI hash,
# binary caching, its post-build lint) is not emulated.
#
#   cmake -DPORT_DIR=<port> -DFEATURES=tool -DWORK_DIR=<dir> -P vcpkg_emulation.cmake
# leaves the package in WORK_DIR/packages/ditto (vcpkg's packages/<port>_<triplet>).
cmake_minimum_required(VERSION 3.25)
foreach(var PORT_DIR WORK_DIR)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "set ${var}")
    endif()
endforeach()

file(READ "${PORT_DIR}/vcpkg.json" manifest)
string(JSON PORT GET "${manifest}" name)
string(JSON VERSION GET "${manifest}" version)
set(CURRENT_PACKAGES_DIR "${WORK_DIR}/packages/${PORT}")
set(CURRENT_BUILDTREES_DIR "${WORK_DIR}/buildtrees/${PORT}")
string(REPLACE "," ";" FEATURES "core,${FEATURES}")
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}" "${CURRENT_BUILDTREES_DIR}")
find_program(NINJA ninja)

function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "failed (${result}): ${ARGN}")
    endif()
endfunction()

# FEATURES <feature> <option> ...: -D<option>=ON for each requested feature, OFF otherwise.
function(vcpkg_check_features)
    cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUT_FEATURE_OPTIONS" "FEATURES")
    set(options "")
    list(LENGTH arg_FEATURES n)
    math(EXPR last "${n} - 1")
    foreach(i RANGE 0 ${last} 2)
        math(EXPR j "${i} + 1")
        list(GET arg_FEATURES ${i} feature)
        list(GET arg_FEATURES ${j} option)
        if(feature IN_LIST FEATURES)
            list(APPEND options "-D${option}=ON")
        else()
            list(APPEND options "-D${option}=OFF")
        endif()
    endforeach()
    set(${arg_OUT_FEATURE_OPTIONS} "${options}" PARENT_SCOPE)
endfunction()

# Release only (the port sets VCPKG_BUILD_TYPE release), installed into CURRENT_PACKAGES_DIR.
function(vcpkg_cmake_configure)
    cmake_parse_arguments(PARSE_ARGV 0 arg "" "SOURCE_PATH" "OPTIONS;OPTIONS_RELEASE;OPTIONS_DEBUG")
    if(NOT VCPKG_BUILD_TYPE STREQUAL "release")
        message(FATAL_ERROR "this emulation builds release only; the port must set VCPKG_BUILD_TYPE release")
    endif()
    set(generator "")
    if(NINJA)
        set(generator -G Ninja)
    endif()
    run("${CMAKE_COMMAND}" -S "${arg_SOURCE_PATH}" -B "${CURRENT_BUILDTREES_DIR}/rel" ${generator}
        -DCMAKE_BUILD_TYPE=Release "-DCMAKE_INSTALL_PREFIX=${CURRENT_PACKAGES_DIR}" ${arg_OPTIONS} ${arg_OPTIONS_RELEASE})
endfunction()

function(vcpkg_cmake_install)
    run("${CMAKE_COMMAND}" --build "${CURRENT_BUILDTREES_DIR}/rel" --target install --parallel 2)
endfunction()

# vcpkg moves CONFIG_PATH to share/<PACKAGE_NAME> and rewrites the prefix the files compute; the
# emulation supports only files already in place (which is what the port asks for).
function(vcpkg_cmake_config_fixup)
    cmake_parse_arguments(PARSE_ARGV 0 arg "" "PACKAGE_NAME;CONFIG_PATH" "")
    if(NOT arg_CONFIG_PATH STREQUAL "share/${arg_PACKAGE_NAME}")
        message(FATAL_ERROR "emulated vcpkg_cmake_config_fixup: CONFIG_PATH must be share/${arg_PACKAGE_NAME}")
    endif()
    if(NOT EXISTS "${CURRENT_PACKAGES_DIR}/share/${arg_PACKAGE_NAME}/${arg_PACKAGE_NAME}Config.cmake")
        message(FATAL_ERROR "no ${arg_PACKAGE_NAME}Config.cmake in ${CURRENT_PACKAGES_DIR}/${arg_CONFIG_PATH}")
    endif()
endfunction()

# Moves bin/<tool> to tools/<port>/<tool>; AUTO_CLEAN removes bin when it is left empty.
function(vcpkg_copy_tools)
    cmake_parse_arguments(PARSE_ARGV 0 arg "AUTO_CLEAN" "" "TOOL_NAMES")
    file(MAKE_DIRECTORY "${CURRENT_PACKAGES_DIR}/tools/${PORT}")
    foreach(tool IN LISTS arg_TOOL_NAMES)
        file(RENAME "${CURRENT_PACKAGES_DIR}/bin/${tool}" "${CURRENT_PACKAGES_DIR}/tools/${PORT}/${tool}")
    endforeach()
    if(arg_AUTO_CLEAN)
        file(GLOB left "${CURRENT_PACKAGES_DIR}/bin/*")
        if(NOT left)
            file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/bin")
        endif()
    endif()
endfunction()

function(vcpkg_install_copyright)
    cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "FILE_LIST")
    file(MAKE_DIRECTORY "${CURRENT_PACKAGES_DIR}/share/${PORT}")
    file(COPY_FILE ${arg_FILE_LIST} "${CURRENT_PACKAGES_DIR}/share/${PORT}/copyright")
endfunction()

include("${PORT_DIR}/portfile.cmake")

# Some of vcpkg's post-build checks: the files where vcpkg wants them and nothing elsewhere.
foreach(file include/ditto/ditto.hpp include/ditto/version.hpp share/${PORT}/dittoConfig.cmake
             share/${PORT}/dittoConfigVersion.cmake share/${PORT}/copyright share/${PORT}/usage)
    if(NOT EXISTS "${CURRENT_PACKAGES_DIR}/${file}")
        message(FATAL_ERROR "the package lacks ${file}")
    endif()
endforeach()
foreach(dir bin debug lib share/cmake share/doc)
    if(EXISTS "${CURRENT_PACKAGES_DIR}/${dir}")
        message(FATAL_ERROR "the package has ${dir}/, which vcpkg would reject for this port")
    endif()
endforeach()
if("tool" IN_LIST FEATURES AND NOT EXISTS "${CURRENT_PACKAGES_DIR}/tools/${PORT}/ditto")
    message(FATAL_ERROR "feature tool: no tools/${PORT}/ditto")
endif()
if(NOT "tool" IN_LIST FEATURES AND EXISTS "${CURRENT_PACKAGES_DIR}/tools")
    message(FATAL_ERROR "without the tool feature the package has tools/")
endif()
message(STATUS "vcpkg emulation: ${PORT} ${VERSION} [${FEATURES}] in ${CURRENT_PACKAGES_DIR}")
