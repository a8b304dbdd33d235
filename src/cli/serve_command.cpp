// `corocrawl serve`: the bundled test server from the command line. Only wiring: the defaults are
// ServerOptions{}'s, the work is test_server::serve().
#include <chrono>
#include <memory>

#include "cli/commands.hpp"
#include "test_server.hpp"

namespace corocrawl::cli {
namespace {

// CLI11's own NonNegativeNumber prints its range as a 300-digit double; say it plainly instead.
const CLI::Validator non_negative_seconds(
    [](std::string& text) -> std::string {
        double seconds = -1;
        return CLI::detail::lexical_cast(text, seconds) && seconds >= 0
                   ? std::string{}
                   : "not a number of seconds, 0 or more: " + text;
    },
    "SECONDS");

}  // namespace

void add_serve_command(CLI::App& app, int& exit_status) {
    struct Settings {
        test_server::ServerOptions server;
        double delay_seconds = std::chrono::duration<double>(server.delay).count();
    };
    // Owned by the callback, which lives as long as `app`; the options below bind to it.
    auto settings = std::make_shared<Settings>();

    auto* serve = app.add_subcommand(
        "serve",
        "Run the bundled HTTP test server (the seed's /bobo, /jay, /tom and the test routes)");
    serve->add_option("--bind", settings->server.bind, "Address to listen on")
        ->capture_default_str();
    serve->add_option("--port", settings->server.port, "Port to listen on (0: any free port)")
        ->capture_default_str();
    serve
        ->add_option("--delay", settings->delay_seconds,
                     "Seconds /bobo, /jay and /tom wait before answering (fractions allowed)")
        ->check(non_negative_seconds)
        ->capture_default_str();
    serve->add_option("--threads", settings->server.threads, "Threads serving connections")
        ->check(CLI::Range(1u, 1024u))
        ->capture_default_str();

    serve->callback([settings, &exit_status] {
        auto options = settings->server;
        options.delay = std::chrono::round<std::chrono::milliseconds>(
            std::chrono::duration<double>(settings->delay_seconds));
        exit_status = test_server::serve(options);
    });
}

}  // namespace corocrawl::cli
