// `corocrawl serve`: the bundled test server from the command line. Only wiring: the defaults are
// ServerOptions{}'s, the work is test_server::serve(); this file reads the TLS files for it.
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "dns_server.hpp"
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

// The whole of a PEM file (checked to exist by CLI11, but it may still be unreadable).
std::string read_pem(const std::string& path, const char* option) {
    std::ifstream file(path, std::ios::binary);
    std::string text(std::istreambuf_iterator<char>(file), {});
    if (!file && !file.eof()) throw CLI::ValidationError(option, "cannot read " + path);
    return text;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_status) {
    struct Settings {
        test_server::ServerOptions server;
        double delay_seconds = std::chrono::duration<double>(server.delay).count();
        std::string tls_certificate_file;
        std::string tls_key_file;
        int dns_port = -1;  // none
        unsigned dns_delay_ms = 0;
    };
    // Owned by the callback, which lives as long as `app`; the options below bind to it.
    auto settings = std::make_shared<Settings>();

    auto* serve = app.add_subcommand(
        "serve",
        "Run the bundled HTTP test server (the seed's /bobo, /jay, /tom and the test routes)");
    serve->add_option("--bind", settings->server.bind, "Address to listen on")
        ->capture_default_str()
        ->option_text("ADDR");
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
    auto* certificate = serve
                            ->add_option("--tls-cert", settings->tls_certificate_file,
                                         "Serve HTTPS with this PEM certificate chain, leaf first")
                            ->check(CLI::ExistingFile)
                            ->option_text("FILE");
    auto* key =
        serve->add_option("--tls-key", settings->tls_key_file, "The PEM private key of --tls-cert")
            ->check(CLI::ExistingFile)
            ->option_text("FILE");
    serve->add_flag("--record-hosts", settings->server.record_hosts,
                    "Record each Host's requests: count, most at once, gaps between arrivals; "
                    "GET /hosts reports them as JSON");
    certificate->needs(key);
    key->needs(certificate);
    // In `serve` rather than a command of its own: the names it answers point at the pages this
    // process serves, so a benchmark of many host names behind a slow DNS starts one server.
    serve
        ->add_option("--dns-port", settings->dns_port,
                     "Also answer DNS on this UDP port of --bind (0: any free port): every A "
                     "query with the --bind address, AAAA with no address; prints 'dns ADDR:PORT'")
        ->check(CLI::Range(0, 65535))
        ->option_text("PORT");
    serve
        ->add_option("--dns-delay", settings->dns_delay_ms,
                     "Milliseconds each DNS answer waits (many wait at once)")
        ->check(CLI::Range(0u, 600'000u))
        ->capture_default_str()
        ->option_text("MS");

    serve->callback([settings, &exit_status] {
        auto options = settings->server;
        options.delay = std::chrono::round<std::chrono::milliseconds>(
            std::chrono::duration<double>(settings->delay_seconds));
        if (!settings->tls_certificate_file.empty()) {
            options.tls_certificate_pem = read_pem(settings->tls_certificate_file, "--tls-cert");
            options.tls_private_key_pem = read_pem(settings->tls_key_file, "--tls-key");
        }
        std::unique_ptr<test_server::DnsServer> dns;
        if (settings->dns_port >= 0) {
            try {
                dns = std::make_unique<test_server::DnsServer>(test_server::DnsServerOptions{
                    .bind = options.bind,
                    .port = static_cast<unsigned short>(settings->dns_port),
                    .delay = std::chrono::milliseconds(settings->dns_delay_ms),
                    .default_a = options.bind});  // every name: this server's own address
            } catch (const std::exception& error) {
                std::cerr << "corocrawl serve: cannot answer DNS on " << options.bind << " port "
                          << settings->dns_port << ": " << error.what() << '\n';
                exit_status = 1;
                return;
            }
            std::cout << "dns " << dns->address() << std::endl;
        }
        exit_status = test_server::serve(options);
    });
}

}  // namespace corocrawl::cli
