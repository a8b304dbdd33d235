// What the in-memory frontier tells a store that outlives the process (--state), as each change
// happens, in the order it happens; and what it asks of it about URLs seen so long ago that
// memory no longer holds them. The store writes the changes in batches; a batch is whole or
// absent after a crash, so the frontier and the records never disagree.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "corocrawl/frontier.hpp"
#include "frontier/admission.hpp"

namespace corocrawl::frontier {

// How a store hands back what it kept, when a crawl resumes: first the counts, the hosts'
// robots.txt and the seen set, then the URLs still owed a record, in admission order.
class FrontierRestore {
  public:
    virtual void counts(const FrontierCounts& counts) = 0;
    virtual void scope(std::string_view host) = 0;
    virtual void robots(std::string_view origin, std::optional<std::string_view> text,
                        Clock::time_point expires) = 0;
    virtual void seen(const Fingerprint& fingerprint) = 0;
    // More were seen than memory is to hold: the journal is asked about the rest.
    virtual void seen_elsewhere() = 0;
    virtual void waiting(CrawlItem item) = 0;

  protected:
    ~FrontierRestore() = default;
};

class FrontierJournal {
  public:
    virtual ~FrontierJournal() = default;

    // A URL is owed a record. For a seed, `input_end` is where the input stands after it.
    virtual void admitted(const CrawlItem& item, bool seed, std::uint64_t input_end) = 0;
    virtual void leased(std::size_t index) = 0;
    // Its record (kept), or none: it waits for the next run.
    virtual void finished(std::size_t index, const StoredRecord* record) = 0;
    virtual void seen(const Fingerprint& fingerprint) = 0;
    // A seed's host, or a seed's redirect's, joined the scope.
    virtual void scope_widened(std::string_view host) = 0;
    // Only asked when memory has let go of some fingerprints.
    virtual bool seen_before(const Fingerprint& fingerprint) = 0;
    // An origin's robots.txt was read: its text (2xx), or none (4xx and the like: allow all).
    virtual void robots_learned(std::string_view origin, std::optional<std::string_view> text) = 0;

    // Whether a batch is due at `now` (by time or by size); commit() writes it, with the counts.
    virtual bool commit_due(Clock::time_point now) const = 0;
    virtual void commit(const FrontierCounts& counts) = 0;

    // What was kept, handed back to a frontier that resumes (nothing, for a new crawl).
    virtual void restore(FrontierRestore& frontier) = 0;
};

// The in-memory frontier with a store behind it: it restores what `journal` kept, and tells it
// every change. Memory holds at most options.seen_in_memory fingerprints; past that, it forgets
// them and asks the journal.
std::unique_ptr<Frontier> make_journaled_frontier(const FrontierOptions& options,
                                                  FrontierJournal& journal);

}  // namespace corocrawl::frontier
