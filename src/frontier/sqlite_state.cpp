// --state DIR: the frontier's journal and the records in SQLite. One database, written through
// one connection in batches (a transaction each 100 ms or 5,000 changes), in WAL mode with
// synchronous=NORMAL: a process killed at any moment loses at most the batch in progress, and the
// database is whole; power loss may take the last batches as well, never consistency. Because
// every change goes through the same connection in the order it happened — a page's links before
// its record — no batch can hold a record without the links its page offered.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <system_error>

#include "corocrawl/state.hpp"
#include "frontier/journal.hpp"
#include "frontier/robots.hpp"
#include "frontier/sqlite.hpp"

namespace corocrawl {
namespace {

using frontier::Fingerprint;
using frontier::robots_lifetime;
using frontier::sqlite::Database;
using frontier::sqlite::SqliteError;
using frontier::sqlite::Statement;

constexpr std::string_view format_name = "corocrawl-state 1";
constexpr auto batch_time = std::chrono::milliseconds(100);
constexpr std::size_t batch_changes = 5'000;

// An item's life in the `items` table.
enum ItemState : std::int64_t { waiting = 0, leased = 1, finished = 2 };

constexpr std::string_view schema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
-- Every admitted URL, by its record's index; `kind` is its error kind (NULL: ok) once finished.
CREATE TABLE items(idx INTEGER PRIMARY KEY, url TEXT NOT NULL, depth INTEGER NOT NULL,
                   referrer TEXT, state INTEGER NOT NULL, kind TEXT, output BLOB, jsonl BLOB);
CREATE INDEX unfinished ON items(idx) WHERE state < 2;
CREATE TABLE seen(fingerprint BLOB PRIMARY KEY) WITHOUT ROWID;
-- The hosts the seeds (and their redirects) brought into the scope.
CREATE TABLE scope(host TEXT PRIMARY KEY) WITHOUT ROWID;
-- robots.txt as read (NULL: unavailable, all allowed), and when, in Unix milliseconds.
CREATE TABLE hosts(origin TEXT PRIMARY KEY, robots BLOB, fetched_at INTEGER NOT NULL) WITHOUT ROWID;
)sql";

std::int64_t unix_ms(std::chrono::system_clock::time_point at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

// FrontierCounts as one meta value: its fields in order, space-separated.
std::string counts_text(const FrontierCounts& c) {
    std::string text;
    for (const std::size_t n :
         {c.admitted, c.seeds, c.discovered, c.duplicates, c.out_of_scope, c.filtered, c.too_deep,
          c.over_limit, c.unsupported, c.robots_fetched, c.robots_disallowed}) {
        text += std::to_string(n);
        text += ' ';
    }
    return text;
}

FrontierCounts parse_counts(std::string_view text) {
    FrontierCounts c;
    std::size_t* fields[] = {&c.admitted,     &c.seeds,          &c.discovered,       &c.duplicates,
                             &c.out_of_scope, &c.filtered,       &c.too_deep,         &c.over_limit,
                             &c.unsupported,  &c.robots_fetched, &c.robots_disallowed};
    std::size_t at = 0;
    for (std::size_t* field : fields) {
        const auto end = text.find(' ', at);
        if (end == std::string_view::npos) throw StateError("its counts are unreadable");
        *field = std::stoull(std::string(text.substr(at, end - at)));
        at = end + 1;
    }
    return c;
}

}  // namespace

class CrawlState::Store final : public frontier::FrontierJournal {
  public:
    Store(const std::filesystem::path& dir, bool create);
    ~Store() override;

    void check_identity(const Identity& identity, bool force);

    bool resumed() const noexcept { return resumed_; }
    std::size_t seeds_taken() const noexcept { return counts_.seeds; }
    std::uint64_t input_end() const noexcept { return input_end_; }
    Database& db() { return db_; }
    void begin() { db_.exec("BEGIN"); }

    // ---- FrontierJournal
    void admitted(const CrawlItem& item, bool seed, std::uint64_t input_end) override;
    void leased(std::size_t index) override;
    void finished(std::size_t index, const StoredRecord* record) override;
    void seen(const Fingerprint& fingerprint) override;
    void scope_widened(std::string_view host) override;
    bool seen_before(const Fingerprint& fingerprint) override;
    void robots_learned(std::string_view origin, std::optional<std::string_view> text) override;
    bool commit_due(Clock::time_point now) const override;
    void commit(const FrontierCounts& counts) override;
    void restore(frontier::FrontierRestore& frontier) override;

    std::size_t seen_in_memory = 0;  // set by CrawlState::frontier

  private:
    std::string meta(std::string_view key);
    void set_meta(std::string_view key, std::string_view value);
    void changed() { ++changes_; }

    std::filesystem::path path_;
    Database db_;
    bool resumed_ = false;
    FrontierCounts counts_;
    std::uint64_t input_end_ = 0;
    bool broken_ = false;  // a write failed: said once, the crawl goes on unsaved
    std::size_t changes_ = 0;
    Clock::time_point last_commit_ = Clock::now();
    std::optional<Statement> insert_item_, set_state_, finish_, insert_seen_, find_seen_,
        upsert_host_, set_meta_, get_meta_, insert_scope_;
};

namespace {

std::filesystem::path database_in(const std::filesystem::path& dir) {
    return dir / "crawl.sqlite";
}

}  // namespace

// DIR/lock, held while a crawl runs in DIR: a second crawl on the same state would interleave
// its batches with the first's, so it is refused by name. The kernel lets go of it when the
// process dies, however it dies.
class CrawlState::DirectoryLock {
  public:
    explicit DirectoryLock(const std::filesystem::path& dir)
        : fd_(::open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
        if (fd_ < 0) throw StateError("cannot open " + (dir / "lock").string());
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            throw StateError("another corocrawl is crawling in it");
        }
    }
    ~DirectoryLock() { ::close(fd_); }
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;

  private:
    int fd_;
};

CrawlState::Store::Store(const std::filesystem::path& dir, bool create)
    : path_(database_in(dir)), db_(path_, create) {
    try {
        db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF");
        Statement tables(db_, "SELECT count(*) FROM sqlite_schema WHERE name = 'meta'");
        tables.step();
        resumed_ = tables.integer(0) > 0;
        tables.reset();
        if (!resumed_) {
            Statement any(db_, "SELECT count(*) FROM sqlite_schema");
            any.step();
            if (any.integer(0) > 0) throw StateError("it holds another database");
            any.reset();
            db_.exec("BEGIN");
            db_.exec(schema);
            db_.exec("COMMIT");
        } else {
            // A torn or damaged file is found here, before the crawl trusts any of it.
            Statement check(db_, "PRAGMA quick_check");
            while (check.step()) {
                if (check.text(0) != "ok")
                    throw StateError("it is damaged: " + std::string(check.text(0)));
            }
        }
        get_meta_.emplace(db_, "SELECT value FROM meta WHERE key = ?1");
        set_meta_.emplace(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)");
        if (!resumed_) {
            set_meta("format", format_name);
            set_meta("counts", counts_text(counts_));
            set_meta("input_end", "0");
        } else if (meta("format") != format_name) {
            throw StateError("it is not a corocrawl state of this version");
        } else {
            counts_ = parse_counts(meta("counts"));
            input_end_ = std::stoull(meta("input_end"));
        }
        insert_item_.emplace(db_,
                             "INSERT OR REPLACE INTO items(idx, url, depth, referrer, state) "
                             "VALUES (?1, ?2, ?3, ?4, 0)");
        set_state_.emplace(db_, "UPDATE items SET state = ?2 WHERE idx = ?1");
        finish_.emplace(db_,
                        "UPDATE items SET state = 2, kind = ?2, output = ?3, jsonl = ?4 "
                        "WHERE idx = ?1");
        insert_seen_.emplace(db_, "INSERT OR IGNORE INTO seen(fingerprint) VALUES (?1)");
        insert_scope_.emplace(db_, "INSERT OR IGNORE INTO scope(host) VALUES (?1)");
        find_seen_.emplace(db_, "SELECT 1 FROM seen WHERE fingerprint = ?1");
        upsert_host_.emplace(db_,
                             "INSERT OR REPLACE INTO hosts(origin, robots, fetched_at) "
                             "VALUES (?1, ?2, ?3)");
    } catch (const SqliteError& e) {
        throw StateError(path_.string() + " cannot be used: " + e.what());
    } catch (const std::invalid_argument&) {  // std::stoull
        throw StateError(path_.string() + ": its counts are unreadable");
    } catch (const std::out_of_range&) {
        throw StateError(path_.string() + ": its counts are unreadable");
    }
}

CrawlState::Store::~Store() {
    // A batch still open is written; closing the last connection checkpoints the WAL.
    try {
        if (sqlite3_get_autocommit(db_.get()) == 0) db_.exec("COMMIT");
    } catch (const SqliteError&) {
    }
}

std::string CrawlState::Store::meta(std::string_view key) {
    get_meta_->bind(1, key);
    std::string value;
    if (get_meta_->step()) value = get_meta_->text(0);
    get_meta_->reset();
    return value;
}

void CrawlState::Store::set_meta(std::string_view key, std::string_view value) {
    set_meta_->bind(1, key).bind(2, value).run();
}

void CrawlState::Store::check_identity(const Identity& identity, bool force) {
    std::string differences;
    for (const auto& [name, value] : identity) {
        const std::string key = "identity " + name;
        if (!resumed_ || force) {
            set_meta(key, value);
            continue;
        }
        if (const std::string was = meta(key); was != value) {
            differences += (differences.empty() ? "" : "; ") + name + ": was '" + was +
                           "', is now '" + value + "'";
        }
    }
    if (!differences.empty()) {
        throw StateError("it was made by another command (" + differences +
                         "); use another DIR, or --state-force to carry on with this command");
    }
}

// ---- the journal: each change a statement in the open batch ------------------------------------

void CrawlState::Store::admitted(const CrawlItem& item, bool seed, std::uint64_t input_end) {
    if (broken_) return;
    if (seed) input_end_ = input_end;
    insert_item_->bind(1, static_cast<std::int64_t>(item.index))
        .bind(2, item.url)
        .bind(3, static_cast<std::int64_t>(item.depth))
        .bind_or_null(
            4, item.referrer ? std::optional<std::string_view>(*item.referrer) : std::nullopt)
        .run();
    changed();
}

void CrawlState::Store::leased(std::size_t index) {
    if (broken_) return;
    set_state_->bind(1, static_cast<std::int64_t>(index)).bind(2, ItemState::leased).run();
    changed();
}

void CrawlState::Store::finished(std::size_t index, const StoredRecord* record) {
    if (broken_) return;
    if (!record) {
        set_state_->bind(1, static_cast<std::int64_t>(index)).bind(2, ItemState::waiting).run();
    } else {
        finish_->bind(1, static_cast<std::int64_t>(index))
            .bind_or_null(2, record->error
                                 ? std::optional<std::string_view>(to_string(*record->error))
                                 : std::nullopt)
            .bind_blob(3, record->output.data(), record->output.size());
        if (record->jsonl.empty()) {
            finish_->bind_null(4);
        } else {
            finish_->bind_blob(4, record->jsonl.data(), record->jsonl.size());
        }
        finish_->run();
    }
    changed();
}

void CrawlState::Store::seen(const Fingerprint& fingerprint) {
    if (broken_) return;
    insert_seen_->bind_blob(1, &fingerprint, sizeof fingerprint).run();
    changed();
}

void CrawlState::Store::scope_widened(std::string_view host) {
    if (broken_) return;
    insert_scope_->bind(1, host).run();
    changed();
}

bool CrawlState::Store::seen_before(const Fingerprint& fingerprint) {
    find_seen_->bind_blob(1, &fingerprint, sizeof fingerprint);
    const bool found = find_seen_->step();
    find_seen_->reset();
    return found;
}

void CrawlState::Store::robots_learned(std::string_view origin,
                                       std::optional<std::string_view> text) {
    if (broken_) return;
    upsert_host_->bind(1, origin);
    if (text) {
        upsert_host_->bind_blob(2, text->data(), text->size());
    } else {
        upsert_host_->bind_null(2);
    }
    upsert_host_->bind(3, unix_ms(std::chrono::system_clock::now())).run();
    changed();
}

bool CrawlState::Store::commit_due(Clock::time_point now) const {
    return changes_ >= batch_changes || (changes_ > 0 && now - last_commit_ >= batch_time);
}

void CrawlState::Store::commit(const FrontierCounts& counts) {
    if (broken_) return;
    try {
        set_meta("counts", counts_text(counts));
        set_meta("input_end", std::to_string(input_end_));
        db_.exec("COMMIT; BEGIN");
    } catch (const SqliteError& e) {
        broken_ = true;
        std::fprintf(stderr, "corocrawl: --state %s: could not be saved, the crawl goes on: %s\n",
                     path_.c_str(), e.what());
    }
    changes_ = 0;
    last_commit_ = Clock::now();
}

void CrawlState::Store::restore(frontier::FrontierRestore& frontier) {
    if (!resumed_) return;
    frontier.counts(counts_);
    Statement scope(db_, "SELECT host FROM scope");
    while (scope.step()) frontier.scope(scope.text(0));
    // robots.txt read less than a day ago still holds; older ones are read again.
    const auto now = std::chrono::system_clock::now();
    const auto steady_now = Clock::now();
    Statement hosts(db_, "SELECT origin, robots, fetched_at FROM hosts");
    while (hosts.step()) {
        const auto fetched =
            std::chrono::system_clock::time_point(std::chrono::milliseconds(hosts.integer(2)));
        if (fetched > now || now - fetched >= robots_lifetime) continue;
        const auto expires = steady_now + std::chrono::duration_cast<Clock::duration>(
                                              fetched + robots_lifetime - now);
        frontier.robots(
            hosts.text(0),
            hosts.is_null(1) ? std::nullopt : std::optional<std::string_view>(hosts.text(1)),
            expires);
    }
    Statement count(db_, "SELECT count(*) FROM seen");
    count.step();
    const auto seen_count = static_cast<std::size_t>(count.integer(0));
    count.reset();
    if (seen_count > seen_in_memory) {
        frontier.seen_elsewhere();
    } else {
        Statement seen(db_, "SELECT fingerprint FROM seen");
        while (seen.step()) {
            const auto bytes = seen.text(0);
            if (bytes.size() != sizeof(Fingerprint)) throw StateError("a fingerprint is damaged");
            Fingerprint fingerprint;
            std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(&fingerprint));
            frontier.seen(fingerprint);
        }
    }
    // What was leased when the last run stopped waits again, in admission order with the rest.
    db_.exec("UPDATE items SET state = 0 WHERE state = 1");
    Statement unfinished(
        db_, "SELECT idx, url, depth, referrer FROM items WHERE state < 2 ORDER BY idx");
    std::shared_ptr<const std::string> referrer;  // shared by a page's links, as when offered
    while (unfinished.step()) {
        CrawlItem item;
        item.index = static_cast<std::size_t>(unfinished.integer(0));
        item.url = unfinished.text(1);
        item.depth = static_cast<std::size_t>(unfinished.integer(2));
        if (!unfinished.is_null(3)) {
            if (!referrer || *referrer != unfinished.text(3))
                referrer = std::make_shared<const std::string>(unfinished.text(3));
            item.referrer = referrer;
        }
        frontier.waiting(std::move(item));
    }
}

// ---- CrawlState ---------------------------------------------------------------------------------

CrawlState::CrawlState(std::unique_ptr<Store> store, std::unique_ptr<DirectoryLock> lock)
    : lock_(std::move(lock)), store_(std::move(store)) {}
CrawlState::~CrawlState() = default;

namespace {

// SQLite's failures, as the errors a state's user is told of.
template <typename F>
auto as_state_errors(F&& f) {
    try {
        return f();
    } catch (const SqliteError& e) {
        throw StateError(e.what());
    }
}

}  // namespace

std::unique_ptr<CrawlState> CrawlState::open(const std::filesystem::path& dir,
                                             const Identity& identity, bool force) {
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) throw StateError("cannot make " + dir.string() + ": " + error.message());
    auto lock = std::make_unique<DirectoryLock>(dir);
    return as_state_errors([&] {
        auto store = std::make_unique<Store>(dir, true);
        store->check_identity(identity, force);  // committed at once: the state is this command's
        store->begin();
        return std::unique_ptr<CrawlState>(new CrawlState(std::move(store), std::move(lock)));
    });
}

std::unique_ptr<CrawlState> CrawlState::inspect(const std::filesystem::path& dir) {
    if (!std::filesystem::exists(database_in(dir)))
        throw StateError(database_in(dir).string() + " does not exist");
    return as_state_errors([&] {
        auto store = std::make_unique<Store>(dir, false);
        if (!store->resumed()) throw StateError("it holds no crawl");
        return std::unique_ptr<CrawlState>(new CrawlState(std::move(store), nullptr));
    });
}

bool CrawlState::resumed() const noexcept {
    return store_->resumed();
}
std::size_t CrawlState::seeds_taken() const noexcept {
    return store_->seeds_taken();
}
std::uint64_t CrawlState::input_end() const noexcept {
    return store_->input_end();
}

std::size_t CrawlState::Summary::failures() const noexcept {
    std::size_t total = 0;
    for (const auto& [kind, count] : failed) total += count;
    return total;
}
std::size_t CrawlState::Summary::finished() const noexcept {
    return ok + failures();
}

namespace {

CrawlState::Summary summary_of(Database& db) {
    CrawlState::Summary summary;
    Statement states(db, "SELECT state, kind, count(*) FROM items GROUP BY state, kind");
    while (states.step()) {
        const auto count = static_cast<std::size_t>(states.integer(2));
        summary.admitted += count;
        switch (states.integer(0)) {
            case ItemState::waiting:
                summary.waiting += count;
                break;
            case ItemState::leased:
                summary.in_flight += count;
                break;
            default:
                if (states.is_null(1)) {
                    summary.ok += count;
                } else {
                    summary.failed[std::string(states.text(1))] += count;
                }
        }
    }
    // Hosts: the origins of the URLs, counted as SQLite can: up to the first '/' after "//".
    Statement hosts(db,
                    "SELECT count(DISTINCT substr(url, 1, instr(substr(url, 9), '/') + 7)) "
                    "FROM items");
    hosts.step();
    summary.hosts = static_cast<std::size_t>(hosts.integer(0));
    hosts.reset();
    return summary;
}

}  // namespace

CrawlState::Summary CrawlState::summary() {
    return as_state_errors([&] { return summary_of(store_->db()); });
}

void CrawlState::for_each_record(const std::function<void(std::string_view)>& f) {
    as_state_errors([&] {
        Statement records(store_->db(), "SELECT output FROM items WHERE state = 2 ORDER BY idx");
        while (records.step()) f(records.text(0));
    });
}

void CrawlState::for_each_jsonl(const std::function<void(std::string_view)>& f) {
    as_state_errors([&] {
        Statement records(store_->db(),
                          "SELECT coalesce(jsonl, output) FROM items WHERE state = 2 ORDER BY idx");
        while (records.step()) f(records.text(0));
    });
}

std::size_t CrawlState::retry(const std::vector<ErrorKind>& kinds) {
    return as_state_errors([&] {
        Statement again(store_->db(),
                        "UPDATE items SET state = 0, kind = NULL, output = NULL, jsonl = NULL "
                        "WHERE state = 2 AND kind = ?1");
        std::size_t count = 0;
        for (const ErrorKind kind : kinds) {
            again.bind(1, to_string(kind)).run();
            count += static_cast<std::size_t>(store_->db().changes());
        }
        return count;
    });
}

std::unique_ptr<Frontier> CrawlState::frontier(const FrontierOptions& options) {
    store_->seen_in_memory = options.seen_in_memory;
    return as_state_errors([&] { return frontier::make_journaled_frontier(options, *store_); });
}

}  // namespace corocrawl
