import glob
import os
import shutil


def copy(conanfile, pattern, src, dst, excludes=()):
    """Copies files under src matching pattern (relative, with * and **) to the same place under dst."""
    copied = []
    for path in glob.glob(os.path.join(src, pattern), recursive=True):
        if os.path.isdir(path):
            continue
        relative = os.path.relpath(path, src)
        if any(glob.fnmatch.fnmatch(relative, e) for e in excludes):
            continue
        target = os.path.join(dst, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(path, target)
        copied.append(target)
    # Conan's copy: "*" in a folder pattern also matches in subfolders ("include/*").
    if pattern.endswith("/*"):
        base = pattern[:-2]
        for root, _, files in os.walk(os.path.join(src, base)):
            for f in files:
                path = os.path.join(root, f)
                target = os.path.join(dst, os.path.relpath(path, src))
                if target not in copied:
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copy2(path, target)
                    copied.append(target)
    return copied


def rmdir(conanfile, path):
    shutil.rmtree(path, ignore_errors=True)
