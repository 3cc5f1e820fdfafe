# Conan 2 recipe for ditto: a header-only library. CMake runs once at packaging time because
# ditto/version.hpp is generated from project(VERSION) in CMakeLists.txt, the single source of
# truth for the version; the package itself has nothing compiled in it.
#
# From the source root:  conan create packaging/conan --build=missing
import os

from conan import ConanFile
from conan.tools.cmake import CMake, CMakeToolchain, cmake_layout
from conan.tools.files import copy, rmdir

required_conan_version = ">=2.0"


class DittoConan(ConanFile):
    name = "ditto"
    version = "0.1.0"
    description = "Find copied, republished and lightly rewritten text at corpus scale"
    license = "MIT"
    homepage = "https://github.com/ditto-text/ditto"
    url = "https://github.com/ditto-text/ditto"
    topics = ("deduplication", "near-duplicates", "minhash", "text", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    no_copy_source = True

    def export_sources(self):
        # The recipe lives two levels below the source root; export what the install needs.
        root = os.path.join(self.recipe_folder, "..", "..")
        for pattern in ("CMakeLists.txt", "LICENSE", "cmake/*", "include/*"):
            copy(self, pattern, src=root, dst=self.export_sources_folder)

    def layout(self):
        cmake_layout(self, src_folder=".")

    def package_id(self):
        self.info.clear()

    def validate(self):
        from conan.tools.build import check_min_cppstd
        if self.settings.get_safe("compiler.cppstd"):
            check_min_cppstd(self, 20)

    def generate(self):
        tc = CMakeToolchain(self)
        # Only the headers and the package files; DITTO_WERROR stays off (its default).
        tc.cache_variables["DITTO_BUILD_TESTS"] = False
        tc.cache_variables["DITTO_BUILD_BENCHMARKS"] = False
        tc.cache_variables["DITTO_BUILD_TOOLS"] = False
        tc.cache_variables["DITTO_BUILD_EXAMPLES"] = False
        tc.cache_variables["DITTO_INSTALL"] = True
        tc.generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()

    def package(self):
        copy(self, "LICENSE", src=self.source_folder, dst=os.path.join(self.package_folder, "licenses"))
        cmake = CMake(self)
        cmake.install()
        # Conan's CMakeDeps writes the consumer's config; ditto's own would shadow it.
        rmdir(self, os.path.join(self.package_folder, "share"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "ditto")
        self.cpp_info.set_property("cmake_target_name", "ditto::ditto")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]
