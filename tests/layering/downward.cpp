// Compiled as if it were part of the fetch layer: the url layer is below fetch, so this compiles.
// The control for upward.cpp: the probe's failure is the layering's doing, not the probe's.
#include "corocrawl/url.hpp"
