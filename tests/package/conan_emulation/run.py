"""Runs ditto's Conan 2 recipe and its test_package in Conan's order, with the stand-in `conan`
module next to this file instead of Conan (see conan/__init__.py for what is not emulated).

    python3 run.py RECIPE_FOLDER WORK_DIR

Steps, as `conan create RECIPE_FOLDER` would take them: export_sources, layout, generate, build,
package, package_info (with package_id cleared: one package for every setting); then the
test_package: requirements, layout, generate (CMakeDeps, CMakeToolchain), build, test.
"""
import importlib.util
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conan.tools.cmake import CMakeDeps, CMakeToolchain  # noqa: E402


def load(path, class_filter):
    spec = importlib.util.spec_from_file_location(f"recipe_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from conan import ConanFile
    classes = [v for v in vars(module).values()
               if isinstance(v, type) and issubclass(v, ConanFile) and v is not ConanFile and class_filter(v)]
    assert len(classes) == 1, f"{path}: expected one recipe class, found {classes}"
    return classes[0]


def host_settings():
    compiler = os.environ.get("CXX", "c++")
    version = subprocess.run([compiler, "-dumpversion"], capture_output=True, text=True).stdout.strip()
    return {"os": "Linux", "arch": "x86_64", "compiler": "gcc", "compiler.version": version,
            "compiler.cppstd": "20", "build_type": "Release"}


def place(conanfile, base):
    conanfile.build_folder = os.path.join(base, conanfile.folders.build)
    conanfile.generators_folder = os.path.join(base, conanfile.folders.generators)


def main():
    recipe_folder, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    settings = host_settings()

    # conan create: the package.
    Recipe = load(os.path.join(recipe_folder, "conanfile.py"), lambda c: c.name is not None)
    r = Recipe(settings)
    assert r.package_type == "header-library", "ditto is a header-only package"
    r.recipe_folder = recipe_folder
    r.export_sources_folder = os.path.join(work, "export_source")
    os.makedirs(r.export_sources_folder)
    r.export_sources()
    r.layout()
    r.source_folder = os.path.join(r.export_sources_folder, r.folders.source)  # no_copy_source
    place(r, os.path.join(work, "build"))
    r.package_folder = os.path.join(work, "package")
    if hasattr(r, "validate"):
        r.validate()
    r.package_id()
    assert r.info.cleared, "a header-only package has one package id for all settings"
    r.generate()
    r.build()
    r.package()
    r.package_info()
    for folder in ("include/ditto/ditto.hpp", "include/ditto/version.hpp", "licenses/LICENSE"):
        assert os.path.exists(os.path.join(r.package_folder, folder)), f"the package lacks {folder}"
    for folder in ("bin", "lib", "share"):
        assert not os.path.exists(os.path.join(r.package_folder, folder)), f"the package has {folder}/"
    r.output_info(f"package {r.name}/{r.version} in {r.package_folder}")

    # The test_package, built against that package.
    Test = load(os.path.join(recipe_folder, "test_package", "conanfile.py"), lambda c: True)
    t = Test(settings)
    t.name = "test_package"
    t.tested_reference_str = f"{r.name}/{r.version}"
    t.requirements()
    assert t.requirements_seen == [t.tested_reference_str]
    t.layout()
    t.source_folder = os.path.join(recipe_folder, "test_package")
    place(t, os.path.join(work, "test_package"))
    t.dependencies_cpp_info = {r.package_folder: r.cpp_info}
    for generator in t.generators:
        {"CMakeDeps": CMakeDeps, "CMakeToolchain": CMakeToolchain}[generator](t).generate()
    t.build()
    t.cpp.build.bindir = os.path.join(t.build_folder, t.cpp.build.bindir)
    t.test()
    print("conan emulation passed")


if __name__ == "__main__":
    main()
