// SQLite behind RAII: a connection, and prepared statements that bind, step and read columns.
// Every failure is a SqliteError carrying SQLite's own message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace corocrawl::frontier::sqlite {

struct SqliteError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Database {
  public:
    // Opens `path` for reading and writing; `create`: makes it when missing.
    Database(const std::filesystem::path& path, bool create);

    // Runs statements that return no rows.
    void exec(std::string_view sql);
    std::int64_t changes() const noexcept { return sqlite3_changes64(handle_.get()); }
    sqlite3* get() const noexcept { return handle_.get(); }
    [[noreturn]] void fail(std::string_view what) const;

  private:
    struct Close {
        void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
    };
    std::unique_ptr<sqlite3, Close> handle_;
};

class Statement {
  public:
    Statement(Database& db, std::string_view sql);

    // Parameters are numbered from 1, as in SQL's ?1, ?2 ...
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view text);                    // as TEXT, copied
    Statement& bind_blob(int index, const void* data, std::size_t size);  // copied
    Statement& bind_null(int index);
    Statement& bind_or_null(int index, std::optional<std::string_view> text) {
        return text ? bind(index, *text) : bind_null(index);
    }

    // The next row (true), or the end (false, and the statement is reset for its next use).
    bool step();
    // Steps a statement that returns no rows, then resets it.
    void run();
    // Ends a statement whose rows were not all read.
    void reset() noexcept { sqlite3_reset(handle_.get()); }

    std::int64_t integer(int column) const noexcept;
    // TEXT or BLOB, valid until the next step; "" for NULL.
    std::string_view text(int column) const noexcept;
    bool is_null(int column) const noexcept;

  private:
    void check(int status, std::string_view what);
    struct Finalize {
        void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
    };
    Database& db_;
    std::unique_ptr<sqlite3_stmt, Finalize> handle_;
};

}  // namespace corocrawl::frontier::sqlite
