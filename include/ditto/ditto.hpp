#pragma once
// Everything in ditto, in one include.

#include <ditto/concepts.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>
#include <ditto/shingle.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/tokenize.hpp>
#include <ditto/text/unicode.hpp>
#include <ditto/text/utf8.hpp>
#include <ditto/version.hpp>
