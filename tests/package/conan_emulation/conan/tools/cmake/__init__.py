import os
import shutil
import subprocess


def cmake_layout(conanfile, src_folder="."):
    """Conan's single-configuration layout: build/Release, generators in build/Release/generators."""
    build_type = str(conanfile.settings.build_type or "Release")
    conanfile.folders.source = src_folder
    conanfile.folders.build = os.path.join("build", build_type)
    conanfile.folders.generators = os.path.join("build", build_type, "generators")
    conanfile.cpp.build.bindir = "."


def _cmake_value(value):
    if isinstance(value, bool):
        return "ON" if value else "OFF"
    return str(value)


class CMakeToolchain:
    def __init__(self, conanfile):
        self._conanfile = conanfile
        self.cache_variables = {}

    def generate(self):
        folder = self._conanfile.generators_folder
        os.makedirs(folder, exist_ok=True)
        lines = [
            "# conan_toolchain.cmake (emulated): build type, C++ standard, where CMakeDeps' files are",
            f'set(CMAKE_BUILD_TYPE "{self._conanfile.settings.build_type}" CACHE STRING "")',
            'set(CMAKE_CXX_STANDARD 20)',
            'set(CMAKE_CXX_STANDARD_REQUIRED ON)',
            'list(PREPEND CMAKE_PREFIX_PATH "${CMAKE_CURRENT_LIST_DIR}")',
        ]
        with open(os.path.join(folder, "conan_toolchain.cmake"), "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(os.path.join(folder, "cache_variables.txt"), "w") as f:
            for name, value in self.cache_variables.items():
                f.write(f"-D{name}={_cmake_value(value)}\n")


class CMakeDeps:
    """Writes <cmake_file_name>-config.cmake for each dependency from its package_info."""

    def __init__(self, conanfile):
        self._conanfile = conanfile

    def generate(self):
        folder = self._conanfile.generators_folder
        os.makedirs(folder, exist_ok=True)
        for package_folder, info in self._conanfile.dependencies_cpp_info.items():
            file_name = info.get_property("cmake_file_name")
            target = info.get_property("cmake_target_name")
            includes = " ".join(f'"{os.path.join(package_folder, d)}"' for d in info.includedirs)
            libs = " ".join(info.system_libs)
            text = (f"# {file_name}-config.cmake (emulated CMakeDeps)\n"
                    f"if(NOT TARGET {target})\n"
                    f"    add_library({target} INTERFACE IMPORTED)\n"
                    f"    set_target_properties({target} PROPERTIES\n"
                    f"        INTERFACE_INCLUDE_DIRECTORIES \"{includes.replace(chr(34), '')}\"\n"
                    f"        INTERFACE_LINK_LIBRARIES \"{libs}\")\n"
                    f"endif()\n"
                    f"set({file_name}_FOUND TRUE)\n")
            with open(os.path.join(folder, f"{file_name}-config.cmake"), "w") as f:
                f.write(text)


class CMake:
    def __init__(self, conanfile):
        self._conanfile = conanfile

    def _run(self, args):
        self._conanfile.output_info("cmake " + " ".join(args))
        subprocess.run(["cmake"] + args, check=True)

    def configure(self):
        c = self._conanfile
        cache = []
        variables = os.path.join(c.generators_folder, "cache_variables.txt")
        if os.path.exists(variables):
            cache = open(variables).read().split()
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        self._run(["-S", c.source_folder, "-B", c.build_folder] + generator +
                  [f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(c.generators_folder, 'conan_toolchain.cmake')}",
                   f"-DCMAKE_INSTALL_PREFIX={c.package_folder or os.path.join(c.build_folder, 'install')}"] + cache)

    def build(self):
        self._run(["--build", self._conanfile.build_folder, "--parallel", "2"])

    def install(self):
        c = self._conanfile
        self._run(["--install", c.build_folder, "--prefix", c.package_folder])
