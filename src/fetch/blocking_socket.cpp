#include "fetch/blocking_socket.hpp"

#include <algorithm>
#include <chrono>

namespace corocrawl::fetch {

namespace asio = boost::asio;
using boost::system::error_code;

bool BlockingSocket::wait(short events, error_code& error) {
    for (;;) {
        const auto now = Clock::now();
        if (now >= deadline_) {
            error = boost::beast::error::timeout;
            return false;
        }
        const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - now);
        pollfd fds[2] = {{socket_.native_handle(), events, 0}, {cancel_fd_, POLLIN, 0}};
        const int timeout_ms =
            deadline_ == Clock::time_point::max()
                ? -1
                : static_cast<int>(std::min<long long>(remaining.count(), 60'000));
        const int ready = ::poll(fds, 2, timeout_ms);
        if (ready < 0 && errno != EINTR) {
            error = error_code(errno, asio::error::get_system_category());
            return false;
        }
        if (fds[1].revents & POLLIN) {
            error = asio::error::operation_aborted;
            return false;
        }
        if (ready > 0) return true;  // ready, or an error the next read or write will report
    }
}

bool BlockingSocket::sleep(std::chrono::milliseconds duration, int cancel_fd) {
    const auto until = Clock::now() + duration;
    for (auto now = Clock::now(); now < until; now = Clock::now()) {
        pollfd cancel{cancel_fd, POLLIN, 0};
        const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(until - now);
        if (::poll(&cancel, 1, static_cast<int>(std::min<long long>(remaining.count(), 60'000))) >
            0) {
            return false;
        }
    }
    return true;
}

}  // namespace corocrawl::fetch
