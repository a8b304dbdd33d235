// Compiled as if it were part of the fetch layer: the engine sits above fetch, so its header is
// not on fetch's include path and this must fail to compile (tests/CMakeLists.txt checks it does).
#include "corocrawl/crawler.hpp"
