#include "frontier/sqlite.hpp"

namespace corocrawl::frontier::sqlite {

Database::Database(const std::filesystem::path& path, bool create) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                      SQLITE_OPEN_NOMUTEX;  // one thread at a time: the frontier's lock
    const int status = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    handle_.reset(db);  // closed even when opening failed
    if (status != SQLITE_OK) fail("cannot open " + path.string());
    sqlite3_extended_result_codes(db, 1);
}

void Database::exec(std::string_view sql) {
    const std::string statements(sql);
    if (sqlite3_exec(handle_.get(), statements.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        fail(statements);
}

void Database::fail(std::string_view what) const {
    const char* message = handle_ ? sqlite3_errmsg(handle_.get()) : "out of memory";
    throw SqliteError(std::string(what) + ": " + message);
}

Statement::Statement(Database& db, std::string_view sql) : db_(db) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK)
        db.fail(sql);
    handle_.reset(statement);
}

void Statement::check(int status, std::string_view what) {
    if (status != SQLITE_OK) db_.fail(what);
}

Statement& Statement::bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(handle_.get(), index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    check(sqlite3_bind_text64(handle_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8),
          "bind");
    return *this;
}

Statement& Statement::bind_blob(int index, const void* data, std::size_t size) {
    check(sqlite3_bind_blob64(handle_.get(), index, data, size, SQLITE_TRANSIENT), "bind");
    return *this;
}

Statement& Statement::bind_null(int index) {
    check(sqlite3_bind_null(handle_.get(), index), "bind");
    return *this;
}

bool Statement::step() {
    const int status = sqlite3_step(handle_.get());
    if (status == SQLITE_ROW) return true;
    sqlite3_reset(handle_.get());
    if (status != SQLITE_DONE) db_.fail(sqlite3_sql(handle_.get()));
    return false;
}

void Statement::run() {
    while (step()) {
    }
}

std::int64_t Statement::integer(int column) const noexcept {
    return sqlite3_column_int64(handle_.get(), column);
}

std::string_view Statement::text(int column) const noexcept {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(handle_.get(), column));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(handle_.get(), column));
    return data ? std::string_view(data, size) : std::string_view();
}

bool Statement::is_null(int column) const noexcept {
    return sqlite3_column_type(handle_.get(), column) == SQLITE_NULL;
}

}  // namespace corocrawl::frontier::sqlite
