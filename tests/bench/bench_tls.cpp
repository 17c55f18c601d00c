// The transport layer's costs: issuing client certificates, and TLS / WSS connections over
// loopback with both ends in this process on one thread (the hub's side included): handshakes
// per second, with and without resumption, and the memory an idle connection pair holds.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "transports/stream/stream.hpp"
#include "transports/stream/websocket_handshake.hpp"
#include "transports/tls/certificates.hpp"
#include "transports/tls/tls_context.hpp"

namespace {

namespace asio = boost::asio;
using fleetsim::transports::Stream;
using fleetsim::transports::TlsSessionPtr;
namespace tls = fleetsim::tls;
namespace ws = fleetsim::transports::ws;
using tcp = asio::ip::tcp;
constexpr auto token = asio::as_tuple(asio::use_awaitable);

void BM_IssueClientLeafDer(benchmark::State& state) {
  const tls::Authority ca = tls::Authority::create("bench CA");
  std::uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ca.issue_der({.common_name = "dev-" + std::to_string(i++)}));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
}
BENCHMARK(BM_IssueClientLeafDer)->Unit(benchmark::kMicrosecond);

// The run-start cost of fleet.auth = "x509" for 10,000 identities (one Authority).
void BM_Issue10000ClientLeaves(benchmark::State& state) {
  const tls::Authority ca = tls::Authority::create("bench CA");
  for (auto _ : state) {
    std::size_t bytes = 0;
    for (int i = 0; i < 10'000; ++i)
      bytes += ca.issue_der({.common_name = "dev-" + std::to_string(i)}).certificate.size();
    benchmark::DoNotOptimize(bytes);
  }
}
BENCHMARK(BM_Issue10000ClientLeaves)->Unit(benchmark::kMillisecond)->Iterations(1);

// Bytes malloc has handed out and not taken back: unlike RSS, not blurred by freed memory that
// the heap keeps for reuse.
std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// CPU time of this process (both ends of every connection run in it), in seconds.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::size_t rss_bytes() {
  long pages_total = 0;
  long pages_resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
    std::fclose(f);
  }
  return static_cast<std::size_t>(pages_resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

struct Certificates {
  std::string dir;
  tls::TlsContext server, client;
};

Certificates make_certificates() {
  char pattern[] = "/tmp/fleetsim-bench-tls-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const tls::Authority ca = tls::Authority::create("bench CA");
  const tls::Pem server =
      ca.issue_pem({.common_name = "localhost", .dns_names = {"localhost"}, .server = true});
  tls::write_file_atomic(dir + "/ca.pem", ca.certificate_pem(), false);
  tls::write_file_atomic(dir + "/server.pem", server.certificate, false);
  tls::write_file_atomic(dir + "/server.key", server.private_key, true);
  Certificates c{dir,
                 tls::TlsContext::server({.cert_file = dir + "/server.pem", .key_file = dir + "/server.key"}),
                 tls::TlsContext::client({.ca_file = dir + "/ca.pem", .use_system_store = false})};
  std::filesystem::remove_all(dir);
  return c;
}

// The server side of an upgrade, reduced to what the benchmark needs: read the head, answer 101.
asio::awaitable<bool> accept_websocket(Stream& stream) {
  std::string head;
  char buffer[512];
  std::size_t end = 0;
  while ((end = ws::head_end(head)) == 0) {
    auto [ec] = co_await stream.async_wait(Stream::wait_read, token);
    if (ec) co_return false;
    boost::system::error_code read_ec;
    const std::size_t n = stream.read_some(asio::buffer(buffer), read_ec);
    if (read_ec == asio::error::would_block) continue;
    if (read_ec) co_return false;
    head.append(buffer, n);
  }
  const std::size_t at = head.find("Sec-WebSocket-Key: ");
  const std::string key = head.substr(at + 19, head.find("\r\n", at) - at - 19);
  co_return !co_await stream.async_ws_server_accept(key, "mqtt", {});
}

// Opens `count` connections (client and server Stream each) and keeps them, `parallel` at a time.
struct Connections {
  std::vector<std::unique_ptr<Stream>> clients, servers;
  std::vector<TlsSessionPtr> sessions;
  std::size_t failures = 0;
  std::size_t resumed = 0;
};

void open_connections(asio::io_context& io, Certificates& certs, bool websocket, std::size_t count,
                      Connections& out, bool resume) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), true);
  acceptor.listen(1024);
  const tcp::endpoint to = acceptor.local_endpoint();
  out.clients.resize(count);
  out.servers.resize(count);
  out.sessions.resize(count);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (std::size_t i = 0; i < count; ++i) {
          auto [ec, socket] = co_await acceptor.async_accept(token);
          if (ec) co_return;
          out.servers[i] = std::make_unique<Stream>(std::move(socket));
          asio::co_spawn(
              io,
              [&, s = out.servers[i].get()]() -> asio::awaitable<void> {
                const bool ok = !co_await s->async_tls_server_handshake(certs.server) &&
                                (!websocket || co_await accept_websocket(*s));
                if (!ok) ++out.failures;
              },
              asio::detached);
        }
      },
      asio::detached);
  constexpr std::size_t parallel = 64;
  for (std::size_t lane = 0; lane < parallel; ++lane) {
    asio::co_spawn(
        io,
        [&, lane]() -> asio::awaitable<void> {
          for (std::size_t i = lane; i < count; i += parallel) {
            auto stream = std::make_unique<Stream>(io);
            auto [ec] = co_await stream->async_connect(to, token);
            bool ok = !ec;
            if (ok)
              ok = !co_await stream->async_tls_client_handshake(certs.client, "localhost",
                                                                resume ? out.sessions[i].get() : nullptr);
            if (ok && websocket) ok = !co_await stream->async_ws_client_handshake("localhost");
            if (!ok) ++out.failures;
            if (ok && stream->tls_resumed()) ++out.resumed;
            out.clients[i] = std::move(stream);
          }
        },
        asio::detached);
  }
  io.run();
  io.restart();
}

// Connection pairs per second, both ends on this one thread, and bytes per idle pair.
void BM_IdleConnections(benchmark::State& state) {
  raise_descriptor_limit();
  const bool websocket = state.range(0) != 0;
  const auto count = static_cast<std::size_t>(state.range(1));
  Certificates certs = make_certificates();
  asio::io_context io;
  {
    Connections warm;  // first handshakes initialise OpenSSL's lazy tables: not per connection
    open_connections(io, certs, websocket, 8, warm, false);
  }
  for (auto _ : state) {
    Connections connections;
    const std::size_t before = rss_bytes();
    const std::size_t heap_before = heap_in_use();
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    open_connections(io, certs, websocket, count, connections, false);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Wall-clock rates depend on what else the machine runs; CPU per connection does not.
    state.counters["cpu_us_per_connect"] = (cpu_seconds() - cpu_start) * 1e6 / static_cast<double>(count);
    // A live client has read something since its handshake (a CONNACK); here that read takes in
    // the TLS 1.3 session ticket, which the resumption pass below needs.
    std::uint8_t byte;
    for (auto& client : connections.clients) {
      boost::system::error_code ignored;
      if (client) client->read_some(asio::buffer(&byte, 1), ignored);
    }
    const std::size_t after = rss_bytes();
    const std::size_t heap_after = heap_in_use();
    state.counters["connects_per_s"] = static_cast<double>(count) / seconds;
    // Per pair: the client's and the hub's side of one connection together.
    state.counters["heap_bytes_per_idle_pair"] =
        static_cast<double>(heap_after - heap_before) / static_cast<double>(count);
    state.counters["rss_bytes_per_idle_pair"] =
        static_cast<double>(after - before) / static_cast<double>(count);
    state.counters["failures"] = static_cast<double>(connections.failures);

    // Reconnect everything, offering each connection's session: what a reconnecting fleet pays.
    for (std::size_t i = 0; i < count; ++i) {
      if (connections.clients[i]) connections.sessions[i].reset(connections.clients[i]->tls_session());
    }
    Connections again;
    again.sessions = std::move(connections.sessions);
    connections = Connections{};
    const auto resume_start = std::chrono::steady_clock::now();
    const double resume_cpu_start = cpu_seconds();
    open_connections(io, certs, websocket, count, again, true);
    state.counters["resumed_cpu_us_per_connect"] =
        (cpu_seconds() - resume_cpu_start) * 1e6 / static_cast<double>(count);
    const double resume_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - resume_start).count();
    state.counters["resumed_connects_per_s"] = static_cast<double>(count) / resume_seconds;
    state.counters["resumed"] = static_cast<double>(again.resumed);
  }
}
BENCHMARK(BM_IdleConnections)
    ->ArgNames({"wss", "connections"})
    ->Args({0, 2000})
    ->Args({1, 2000})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
