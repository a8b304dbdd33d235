#include "cli/interrupt.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>

namespace corocrawl::cli {
namespace {

sigset_t interrupt_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);  // only ever sent by the destructor, to end the watcher
    return set;
}

}  // namespace

InterruptWatcher::InterruptWatcher(std::function<void()> on_interrupt)
    : on_interrupt_(std::move(on_interrupt)) {
    const sigset_t set = interrupt_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    watcher_ = std::thread([this, set] {
        bool interrupted = false;
        for (;;) {
            int signal = 0;
            if (sigwait(&set, &signal) != 0 || signal == SIGUSR1) return;
            if (interrupted) std::_Exit(130);  // the second Ctrl-C: the user means it
            interrupted = true;
            on_interrupt_();
        }
    });
}

InterruptWatcher::~InterruptWatcher() {
    pthread_kill(watcher_.native_handle(), SIGUSR1);
    watcher_.join();
    const sigset_t set = interrupt_signals();
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace corocrawl::cli
