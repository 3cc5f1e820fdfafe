# Overlay port for ditto. The library is header-only; the `tool` feature also builds the `ditto`
# program. This overlay builds the checkout it lives in (packaging/vcpkg/ports/ditto is four levels
# below the source root); a port in a registry would fetch a release instead, with
# vcpkg_from_github(OUT_SOURCE_PATH SOURCE_PATH REPO ditto-text/ditto REF "v${VERSION}" SHA512 ...).
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../../../.." ABSOLUTE)

# Headers need no debug build, and vcpkg installs tools from the release build only.
set(VCPKG_BUILD_TYPE release)

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
    FEATURES
        tool DITTO_BUILD_TOOLS
)

# DITTO_WERROR stays off (its default): warnings of a compiler ditto was not tried with must not
# fail the user's build. The CMake package files go straight to share/ditto, where vcpkg wants them.
vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        ${FEATURE_OPTIONS}
        -DDITTO_BUILD_TESTS=OFF
        -DDITTO_BUILD_BENCHMARKS=OFF
        -DDITTO_BUILD_EXAMPLES=OFF
        -DDITTO_INSTALL=ON
        -DDITTO_INSTALL_CMAKEDIR=share/ditto
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME ditto CONFIG_PATH share/ditto)

if("tool" IN_LIST FEATURES)
    vcpkg_copy_tools(TOOL_NAMES ditto AUTO_CLEAN)
endif()

# The license goes to share/ditto/copyright; the copy ditto installs itself is not needed.
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/share/doc")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
