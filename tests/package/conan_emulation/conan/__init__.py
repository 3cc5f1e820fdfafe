"""A stand-in for the parts of Conan 2's recipe API that ditto's recipe and test_package use.

It lets tests/package/conan_emulation/run.py run the recipes' methods in Conan's order with
Conan's folder layout, without Conan. It is not Conan: no profiles, no cache, no package ids, no
lockfiles, no remote; settings are fixed to the host compiler in Release.
"""
import subprocess


class _Settings:
    def __init__(self, values):
        self._values = dict(values)

    def get_safe(self, name, default=None):
        return self._values.get(name, default)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._values.get(name)


class _Info:
    def __init__(self):
        self.cleared = False

    def clear(self):
        self.cleared = True


class CppInfo:
    def __init__(self):
        self.includedirs = ["include"]
        self.libdirs = ["lib"]
        self.bindirs = ["bin"]
        self.libs = []
        self.system_libs = []
        self.properties = {}

    def set_property(self, name, value):
        self.properties[name] = value

    def get_property(self, name):
        return self.properties.get(name)


class _Folders:
    def __init__(self):
        self.source = "."
        self.build = "."
        self.generators = "."


class _CppLayout:
    def __init__(self):
        self.bindir = "."


class _Cpp:
    def __init__(self):
        self.build = _CppLayout()


class ConanFile:
    name = None
    version = None
    settings = ()
    generators = ()
    no_copy_source = False

    def __init__(self, settings):
        self.settings = _Settings(settings)
        self.info = _Info()
        self.cpp_info = CppInfo()
        self.cpp = _Cpp()
        self.folders = _Folders()
        self.requirements_seen = []
        self.recipe_folder = self.export_sources_folder = self.source_folder = None
        self.build_folder = self.generators_folder = self.package_folder = None
        self.tested_reference_str = None
        self.dependencies_cpp_info = {}

    def requires(self, reference):
        self.requirements_seen.append(reference)

    def output_info(self, message):
        print(f"[{self.name or 'recipe'}] {message}", flush=True)

    def run(self, command, env=None):
        self.output_info(f"run: {command}")
        subprocess.run(command, shell=True, check=True)
