// What the server recorded per host, for benchmarks run against `corocrawl serve --record-hosts`
// to check politeness from the server's side (see routes.cpp for what every route shares):
//
//   /hosts   application/json {"HOST": {"requests": N, "max_concurrent": M, "gaps_ms": [...]}}:
//            per host name (lower case, no port) the requests recorded, the most at once, and the
//            milliseconds between consecutive arrivals. {} when the server does not record.
//            Its own requests are not recorded.
#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <string>

#include "host_records.hpp"
#include "route_handlers.hpp"

namespace corocrawl::test_server::handlers {

Reply host_report(const Call& call) {
    boost::json::object report;
    for (const auto& [name, record] : call.hosts.snapshot()) {
        boost::json::array gaps;
        for (std::size_t i = 1; i < record.arrivals.size(); ++i) {
            const std::chrono::duration<double, std::milli> gap =
                record.arrivals[i] - record.arrivals[i - 1];
            gaps.emplace_back(gap.count());
        }
        report[name] = {{"requests", record.requests},
                        {"max_concurrent", record.max_concurrent},
                        {"gaps_ms", std::move(gaps)}};
    }
    return {make_response(http::status::ok, boost::json::serialize(report), "application/json")};
}

}  // namespace corocrawl::test_server::handlers
