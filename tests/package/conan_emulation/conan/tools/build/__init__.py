def can_run(conanfile):
    return True  # never cross-building here


def check_min_cppstd(conanfile, cppstd):
    value = conanfile.settings.get_safe("compiler.cppstd")
    if value is not None and int(str(value).replace("gnu", "")) < int(cppstd):
        raise RuntimeError(f"needs C++{cppstd}, compiler.cppstd is {value}")
