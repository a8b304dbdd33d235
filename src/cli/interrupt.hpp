// Ctrl-C for every mode: SIGINT/SIGTERM are taken by one watcher thread instead of interrupting
// whichever thread happens to run, and turned into a plain function call.
#pragma once

#include <functional>
#include <thread>

namespace corocrawl::cli {

class InterruptWatcher {
  public:
    // Must be created before any other thread, so that every thread inherits the blocked mask.
    // The first signal calls `on_interrupt`; a second one ends the process at once (status 130).
    explicit InterruptWatcher(std::function<void()> on_interrupt);
    ~InterruptWatcher();
    InterruptWatcher(const InterruptWatcher&) = delete;
    InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  private:
    std::function<void()> on_interrupt_;
    std::thread watcher_;
};

}  // namespace corocrawl::cli
