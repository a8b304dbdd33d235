// A one-way signal that file-descriptor waits can include: an eventfd that becomes readable once
// raised and stays so. Every blocked worker (or a stdin reader) polls it beside its own
// descriptor, so one raise() wakes them all.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace corocrawl::engine {

class CancelSignal {
  public:
    CancelSignal() : fd_(::eventfd(0, EFD_CLOEXEC)) {
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    }
    ~CancelSignal() { ::close(fd_); }
    CancelSignal(const CancelSignal&) = delete;
    CancelSignal& operator=(const CancelSignal&) = delete;

    // For poll(): POLLIN once raised.
    int fd() const noexcept { return fd_; }
    void raise() const noexcept { ::eventfd_write(fd_, 1); }

  private:
    int fd_;
};

}  // namespace corocrawl::engine
