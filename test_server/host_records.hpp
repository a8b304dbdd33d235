// The per-host record of arrivals and concurrency (ServerOptions::record_hosts): the sessions
// report each request's arrival and departure, the tests and GET /hosts read the result. One
// mutex: a request takes it twice, and only when recording is on.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "routes.hpp"
#include "test_server.hpp"

namespace corocrawl::test_server {

class HostRecords {
    struct Host {
        HostRecord record;
        std::size_t in_flight = 0;
    };

  public:
    // One request occupying its host: from arrive() until leave() or destruction, whichever is
    // first. Empty (and free) when nothing is recorded.
    class Visit {
      public:
        Visit() = default;
        Visit(Visit&& other) noexcept;
        Visit& operator=(Visit&& other) noexcept;
        ~Visit();
        void leave();

      private:
        friend class HostRecords;
        Visit(HostRecords* records, Host* host) : records_(records), host_(host) {}
        HostRecords* records_ = nullptr;
        Host* host_ = nullptr;
    };

    explicit HostRecords(bool recording) : recording_(recording) {}

    // Records that `request` has been read, now. GET /hosts itself is left out, so reading the
    // report does not change it.
    Visit arrive(const Request& request);

    std::map<std::string, HostRecord> snapshot() const;

  private:
    const bool recording_;
    mutable std::mutex mutex_;
    std::map<std::string, Host> hosts_;  // a node map: a Visit's Host* stays valid
};

}  // namespace corocrawl::test_server
