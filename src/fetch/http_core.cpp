#include "fetch/http_core.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>

#include "fetch/body_decoder.hpp"
#include "fetch/proxy_policy.hpp"
#include "fetch/retry_policy.hpp"

namespace corocrawl::fetch {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

// The Host header: the port only when it is not the scheme's default, IPv6 in brackets.
std::string host_header(const Url& url) {
    const bool ipv6 = url.host.find(':') != std::string::npos;
    std::string host = ipv6 ? "[" + url.host + "]" : url.host;
    const bool default_port = url.port == (url.is_https() ? "443" : "80");
    return default_port ? host : host + ":" + url.port;
}

bool is_redirect(unsigned status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Methods a server must tolerate receiving twice (RFC 9110, 9.2.2): safe to retry.
bool is_idempotent(http::verb method) {
    return method == http::verb::get || method == http::verb::head || method == http::verb::put ||
           method == http::verb::delete_ || method == http::verb::options ||
           method == http::verb::trace;
}

http::verb initial_method(const FetchOptions& options) {
    if (options.method.empty()) return options.body ? http::verb::post : http::verb::get;
    return http::string_to_verb(options.method);  // verb::unknown for an extension method
}

std::string_view phase_name(Phase phase) {
    switch (phase) {
        case Phase::resolve:
            return "resolving the host";
        case Phase::connect:
            return "connecting";
        case Phase::tunnel:
            return "opening the proxy tunnel";
        case Phase::handshake:
            return "in the TLS handshake";
        case Phase::write:
            return "sending the request";
        case Phase::read:
            return "reading the response";
    }
    return "";
}

bool is_timeout(const boost::system::error_code& code) {
    return code == beast::error::timeout || code == asio::error::timed_out;
}

}  // namespace

Exchange::Exchange(InputLine input, const FetchOptions& options, const SlowDown* slow_down)
    : options_(options), slow_down_(slow_down) {
    result_.index = input.index;
    result_.url = std::move(input.text);
    result_.timings.start = Clock::now();
    deadline_ = result_.timings.start + options_.timeout;

    auto parsed = parse_url(result_.url);
    if (auto* error = std::get_if<Error>(&parsed)) {
        fail(error->kind, std::move(error->message));
        return;
    }
    start_request(std::get<Url>(std::move(parsed)), initial_method(options_), true);
}

Clock::time_point Exchange::connect_deadline() const noexcept {
    return std::min(deadline_, Clock::now() + options_.connect_timeout);
}

void Exchange::start_request(Url url, http::verb method, bool with_body) {
    url_ = std::move(url);
    visited_.insert(url_.text);
    proxy_ = proxy_for(url_, options_);
    // A proxy takes plain http requests in absolute form and can carry them for any origin;
    // https goes through a tunnel of its own per origin.
    const bool absolute_form = proxy_ && !url_.is_https();
    connection_key_ = !proxy_         ? url_.origin()
                      : absolute_form ? "via " + proxy_->origin()
                                      : url_.origin() + " via " + proxy_->origin();
    request_ = Request{};
    request_.version(11);
    if (method == http::verb::unknown) {
        request_.method_string(options_.method);
    } else {
        request_.method(method);
    }
    request_.target(absolute_form ? url_.text : url_.target);
    request_.set(http::field::host, host_header(url_));
    request_.set(http::field::user_agent, options_.user_agent.empty()
                                              ? "corocrawl/" + std::string(version())
                                              : options_.user_agent);
    request_.set(http::field::accept, "*/*");
    if (options_.compressed) request_.set(http::field::accept_encoding, supported_encodings);
    if (!options_.cookie.empty()) request_.set(http::field::cookie, options_.cookie);
    if (with_body && options_.body) {
        request_.set(http::field::content_type, "application/x-www-form-urlencoded");
        request_.body() = *options_.body;
    }
    // The user's headers win over ours; an empty value removes the header, as in curl.
    for (const auto& header : options_.headers) {
        if (header.value.empty()) {
            request_.erase(header.name);
        } else {
            request_.set(header.name, header.value);
        }
    }
    if (!with_body) request_.erase(http::field::content_type);
    request_.prepare_payload();
    std::ostringstream wire;  // Beast's serializer: the bytes http::write would send
    wire << request_;
    wire_request_ = std::move(wire).str();

    result_.final_url = url_.text;
    result_.attempts = 0;
}

Action Exchange::next() {
    if (finished_) return Finished{};
    if (wait_) {
        const auto duration = *wait_;
        wait_.reset();
        return Wait{duration};
    }
    if (result_.attempts > 0 && !fresh_connection_) {
        deadline_ = Clock::now() + options_.timeout;  // each retry gets the whole timeout again
    }
    ++result_.attempts;
    const bool fresh = std::exchange(fresh_connection_, false);
    if (options_.keep_wire_bytes) {
        result_.exchanges.push_back(
            {url_.text, {}, std::chrono::system_clock::now(), wire_request_, {}, {}});
    }
    return Send{url_, request_, proxy_ ? &*proxy_ : nullptr, connection_key_, fresh, wire_request_};
}

Request Exchange::tunnel_request() const {
    const std::string authority = host_header(url_).find(':') == std::string::npos
                                      ? host_header(url_) + ":" + url_.port
                                      : host_header(url_);
    Request connect{http::verb::connect, authority, 11};
    connect.set(http::field::host, authority);
    connect.set(http::field::user_agent, request_[http::field::user_agent]);
    return connect;
}

bool Exchange::on_tunnel_response(const http::response_header<>& answer) {
    if (answer.result_int() / 100 == 2) return true;
    fail(ErrorKind::proxy, "proxy " + proxy_->origin() +
                               " refused the tunnel: " + std::to_string(answer.result_int()) + " " +
                               std::string(answer.reason()));
    return false;
}

void Exchange::prepare(ResponseParser& parser, const Request& request) const {
    parser.body_limit(options_.max_body);
    parser.header_limit(static_cast<std::uint32_t>(options_.max_header));
    parser.skip(request.method() == http::verb::head);  // a HEAD response has no body to read
}

bool Exchange::retry(std::optional<std::chrono::milliseconds> server_asked) {
    if (result_.attempts > options_.retries) return false;
    if (!options_.retry_all && !is_idempotent(request_.method())) return false;
    wait_ = server_asked.value_or(backoff(options_, result_.attempts));
    return true;
}

void Exchange::on_response(Response&& response, WireBytes wire) {
    if (options_.keep_wire_bytes && !result_.exchanges.empty()) {
        auto& exchange = result_.exchanges.back();
        exchange.ip_address = std::move(wire.peer_address);
        exchange.response = std::move(wire.response);
        exchange.payload = response.body();  // before decode_body takes it
    }
    const unsigned status = response.result_int();
    if (is_retryable_status(status)) {
        const auto asked = parse_retry_after(response[http::field::retry_after]);
        if (asked && *asked > options_.retry_after_max) {
            finish(std::move(response));
            result_.error->message +=
                " (Retry-After " + std::to_string(asked->count() / 1000) + " s is beyond the " +
                std::to_string(options_.retry_after_max.count() / 1000) + " s that are waited for)";
            return;
        }
        if (retry(asked)) {
            // The wait is the host's, not only this URL's: its other URLs wait as long.
            if ((status == 429 || status == 503) && slow_down_ && *slow_down_)
                (*slow_down_)(url_, *wait_);
            return;
        }
    }
    if (follow_redirect(response)) return;
    finish(std::move(response));
}

bool Exchange::follow_redirect(const Response& response) {
    const unsigned status = response.result_int();
    const auto location = response[http::field::location];
    if (!is_redirect(status) || location.empty() || !options_.follow_redirects) return false;

    if (redirects_ >= options_.max_redirects) {
        fail(ErrorKind::too_many_redirects,
             "more than " + std::to_string(options_.max_redirects) + " redirects");
        return true;
    }
    auto target = resolve_url(url_, location);
    if (auto* error = std::get_if<Error>(&target)) {
        fail(error->kind, "redirect to " + std::move(error->message));
        return true;
    }
    auto& next_url = std::get<Url>(target);
    if (visited_.contains(next_url.text)) {
        fail(ErrorKind::too_many_redirects, "redirect loop: " + url_.text + " -> " + next_url.text);
        return true;
    }
    // 303 always becomes GET; 301/302 after POST become GET as every browser does; 307/308 keep
    // the method and body.
    const http::verb method = request_.method();
    const bool to_get = (status == 303 && method != http::verb::head) ||
                        ((status == 301 || status == 302) && method == http::verb::post);
    ++redirects_;
    start_request(std::move(next_url), to_get ? http::verb::get : method, !to_get);
    return true;
}

void Exchange::finish(Response&& response) {
    finished_ = true;
    result_.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
        result_.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    result_.bytes = response.body().size();
    auto decoded = decode_body(std::move(response.body()), response[http::field::content_encoding],
                               options_.max_body);
    if (auto* error = std::get_if<Error>(&decoded)) {
        result_.error = std::move(*error);
        return;
    }
    result_.body = std::get<std::string>(std::move(decoded));
    const bool redirect_left_to_caller = !options_.follow_redirects &&
                                         is_redirect(response.result_int()) &&
                                         !response[http::field::location].empty();
    if ((result_.status < 200 || result_.status > 299) && !redirect_left_to_caller) {
        result_.error = Error{ErrorKind::http_status, "HTTP " + std::to_string(result_.status) +
                                                          " " + std::string(response.reason())};
    }
}

void Exchange::on_failure(const Failure& failure) {
    // A pooled keep-alive connection the server has meanwhile closed fails before any response
    // byte: that says nothing about the URL, so it is tried once more on a new connection.
    if (failure.reused_connection && !failure.response_started && !is_timeout(failure.code) &&
        failure.code != asio::error::operation_aborted &&
        (failure.phase == Phase::write || failure.phase == Phase::read)) {
        --result_.attempts;
        fresh_connection_ = true;
        // Nothing answered it, and the same request goes out again: not an exchange to record.
        if (options_.keep_wire_bytes && !result_.exchanges.empty()) result_.exchanges.pop_back();
        return;
    }
    Error error = classify(failure);
    const bool connection_failed =
        error.kind == ErrorKind::connect || error.kind == ErrorKind::proxy;
    if ((connection_failed || error.kind == ErrorKind::timeout) && retry(std::nullopt)) {
        return;
    }
    fail(error.kind, std::move(error.message));
}

Error Exchange::classify(const Failure& failure) const {
    const auto& code = failure.code;
    std::string message = std::string(phase_name(failure.phase)) + ": " +
                          (failure.detail.empty() ? code.message() : failure.detail);
    if (is_timeout(code)) {
        const bool connecting = failure.phase <= Phase::handshake;
        return {ErrorKind::timeout, "timed out " + std::string(phase_name(failure.phase)) +
                                        " after " +
                                        std::to_string(connecting ? options_.connect_timeout.count()
                                                                  : options_.timeout.count()) +
                                        " ms"};
    }
    if (code == asio::error::operation_aborted) return {ErrorKind::cancelled, "cancelled"};
    if (code == http::error::body_limit) {
        return {ErrorKind::body_too_large,
                "body larger than " + std::to_string(options_.max_body) + " bytes"};
    }
    const bool reaching_proxy = failure.phase <= Phase::tunnel && proxy_;
    if (reaching_proxy) return {ErrorKind::proxy, "proxy " + proxy_->origin() + ": " + message};
    if (code == http::error::header_limit) {
        return {ErrorKind::protocol,
                "response header larger than " + std::to_string(options_.max_header) + " bytes"};
    }
    switch (failure.phase) {
        case Phase::resolve:
            return {ErrorKind::dns, std::move(message)};
        case Phase::connect:
        case Phase::tunnel:
            return {ErrorKind::connect, std::move(message)};
        case Phase::handshake:
            return {ErrorKind::tls, std::move(message)};
        default:
            break;
    }
    if (code.category() == asio::error::get_ssl_category())
        return {ErrorKind::tls, std::move(message)};
    return {ErrorKind::protocol, std::move(message)};
}

void Exchange::fail(ErrorKind kind, std::string message) {
    result_.error = Error{kind, std::move(message)};
    finished_ = true;
}

Result Exchange::take_result() {
    result_.elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - result_.timings.start);
    return std::move(result_);
}

}  // namespace corocrawl::fetch
