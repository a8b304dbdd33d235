#include "fetch/http_core.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace corocrawl::fetch {
namespace {

std::string user_agent(const FetchOptions& options) {
    return options.user_agent.empty() ? "corocrawl/" + std::string(version()) : options.user_agent;
}

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

std::string_view phase_name(Phase phase) {
    switch (phase) {
        case Phase::resolve: return "resolving the host";
        case Phase::connect: return "connecting";
        case Phase::handshake: return "in the TLS handshake";
        case Phase::write: return "sending the request";
        case Phase::read: return "reading the response";
    }
    return "";
}

std::string describe(const Failure& failure) {
    return std::string(phase_name(failure.phase)) + ": " + failure.code.message();
}

}  // namespace

Exchange::Exchange(InputLine input, const FetchOptions& options) : options_(options) {
    result_.index = input.index;
    result_.url = std::move(input.text);
    result_.timings.start = Clock::now();
    deadline_ = result_.timings.start + options_.timeout;

    auto parsed = parse_url(result_.url);
    if (auto* error = std::get_if<Error>(&parsed)) {
        fail(error->kind, std::move(error->message));
        return;
    }
    start_request(std::get<Url>(std::move(parsed)), http::verb::get);
}

Clock::time_point Exchange::connect_deadline() const noexcept {
    return std::min(deadline_, Clock::now() + options_.connect_timeout);
}

void Exchange::start_request(Url url, http::verb method) {
    url_ = std::move(url);
    visited_.insert(url_.text);
    request_ = Request{method, url_.target, 11};
    request_.set(http::field::host, host_header(url_));
    request_.set(http::field::user_agent, user_agent(options_));
    request_.set(http::field::accept, "*/*");
    result_.final_url = url_.text;
    result_.attempts = 0;
}

Action Exchange::next() {
    if (finished_) return Finished{};
    ++result_.attempts;
    const bool fresh = std::exchange(fresh_connection_, false);
    return Send{url_, request_, fresh};
}

void Exchange::prepare(ResponseParser& parser, const Request& request) const {
    parser.body_limit(options_.max_body);
    parser.header_limit(static_cast<std::uint32_t>(options_.max_header));
    parser.skip(request.method() == http::verb::head);  // a HEAD response has no body to read
}

void Exchange::on_response(Response&& response) {
    if (follow_redirect(response)) return;
    finish(std::move(response));
}

bool Exchange::follow_redirect(const Response& response) {
    const unsigned status = response.result_int();
    const auto location = response[http::field::location];
    if (!is_redirect(status) || location.empty()) return false;

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
    http::verb method = request_.method();
    if ((status == 303 && method != http::verb::head) ||
        ((status == 301 || status == 302) && method == http::verb::post)) {
        method = http::verb::get;
    }
    ++redirects_;
    start_request(std::move(next_url), method);
    return true;
}

void Exchange::finish(Response&& response) {
    result_.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
        result_.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    result_.bytes = response.body().size();
    result_.body = std::move(response.body());
    finished_ = true;
    if (result_.status < 200 || result_.status > 299) {
        result_.error = Error{ErrorKind::http_status,
                              "HTTP " + std::to_string(result_.status) + " " +
                                  std::string(response.reason())};
    }
}

void Exchange::on_failure(const Failure& failure) {
    namespace asio = boost::asio;
    namespace beast = boost::beast;
    const auto& code = failure.code;

    // A pooled keep-alive connection the server has meanwhile closed fails before any response
    // byte: that says nothing about the URL, so it is tried once more on a new connection.
    const bool timed_out = code == beast::error::timeout || code == asio::error::timed_out;
    if (failure.reused_connection && !failure.response_started && !timed_out &&
        code != asio::error::operation_aborted &&
        (failure.phase == Phase::write || failure.phase == Phase::read)) {
        --result_.attempts;
        fresh_connection_ = true;
        return;
    }
    if (timed_out) {
        const bool connecting = failure.phase <= Phase::handshake;
        fail(ErrorKind::timeout, "timed out " + std::string(phase_name(failure.phase)) + " after " +
                                     std::to_string(connecting ? options_.connect_timeout.count()
                                                               : options_.timeout.count()) +
                                     " ms");
    } else if (code == asio::error::operation_aborted) {
        fail(ErrorKind::cancelled, "cancelled");
    } else if (code == http::error::body_limit) {
        fail(ErrorKind::body_too_large,
             "body larger than " + std::to_string(options_.max_body) + " bytes");
    } else if (failure.phase == Phase::resolve) {
        fail(ErrorKind::dns, describe(failure));
    } else if (failure.phase == Phase::connect) {
        fail(ErrorKind::connect, describe(failure));
    } else if (failure.phase == Phase::handshake || code.category() == asio::error::get_ssl_category()) {
        fail(ErrorKind::tls, describe(failure));
    } else {
        fail(ErrorKind::protocol, describe(failure));
    }
}

void Exchange::fail(ErrorKind kind, std::string message) {
    result_.error = Error{kind, std::move(message)};
    finished_ = true;
}

Result Exchange::take_result() {
    result_.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                                            result_.timings.start);
    return std::move(result_);
}

}  // namespace corocrawl::fetch
