#pragma once
// Everything in ditto, in one include.

#include <ditto/cluster.hpp>
#include <ditto/concepts.hpp>
#include <ditto/dedup.hpp>
#include <ditto/document.hpp>
#include <ditto/error.hpp>
#include <ditto/hash.hpp>
#include <ditto/index/lsh.hpp>
#include <ditto/index/lsh_params.hpp>
#include <ditto/parallel.hpp>
#include <ditto/shingle.hpp>
#include <ditto/sketch/minhash.hpp>
#include <ditto/text/normalize.hpp>
#include <ditto/text/tokenize.hpp>
#include <ditto/text/unicode.hpp>
#include <ditto/text/utf8.hpp>
#include <ditto/verify.hpp>
#include <ditto/version.hpp>
