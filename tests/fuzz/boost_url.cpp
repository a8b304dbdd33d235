// Boost.URL's implementation, compiled into the fuzz build so that libFuzzer's coverage reaches
// inside the URL parser (the Debian shared library is not instrumented).
#include <boost/url/src.hpp>
