#include "hub/endpoint.hpp"

#include <chrono>
#include <exception>
#include <stdexcept>
#include <utility>

#include <boost/asio/co_spawn.hpp>

#include "hub/mqtt_session.hpp"
#include "transports/stream/stream.hpp"

namespace fleetsim::hub {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr const char* kListenerNames[] = {"mqtt", "mqtts", "http", "https"};

constexpr std::size_t index_of(ListenerKind kind) noexcept {
  return static_cast<std::size_t>(kind);
}

}  // namespace

Endpoint::Endpoint(asio::io_context& io, HubContext& hub, const asio::ip::address& address,
                   const ListenerPorts& ports, EndpointLimits limits, std::optional<tls::TlsContext> tls)
    : io_(io),
      shared_(std::make_unique<EndpointShared>(hub, limits)),
      tls_(std::move(tls)),
      sweep_timer_(io) {
  if (!tls_ && (ports.mqtts || ports.https)) {
    throw std::invalid_argument("the mqtts and https listeners need a TLS server certificate");
  }
  listen(ListenerKind::mqtt, address, ports.mqtt);
  listen(ListenerKind::mqtts, address, ports.mqtts);
  listen(ListenerKind::http, address, ports.http);
  listen(ListenerKind::https, address, ports.https);
}

Endpoint::~Endpoint() {
  incoming_.clear_and_dispose([](IncomingConnection* connection) { delete connection; });
  sessions_.clear_and_dispose([](SessionBase* session) { delete session; });
}

void Endpoint::listen(ListenerKind kind, const asio::ip::address& address,
                      std::optional<std::uint16_t> port) {
  if (!port) return;
  listeners_[index_of(kind)] =
      std::make_unique<Listener>(io_, tcp::endpoint(address, *port), kListenerNames[index_of(kind)],
                                 [this, kind](tcp::socket socket) { accepted(kind, std::move(socket)); });
}

std::uint16_t Endpoint::port(ListenerKind kind) const noexcept {
  const auto& listener = listeners_[index_of(kind)];
  return listener ? listener->port() : 0;
}

void Endpoint::start() {
  for (const auto& listener : listeners_) {
    if (listener) listener->start(shared_->hub.counters);
  }
  arm_sweep();
}

void Endpoint::stop() {
  stopped_ = true;
  for (const auto& listener : listeners_) {
    if (listener) listener->stop();
  }
  sweep_timer_.cancel();
  for (IncomingConnection& connection : incoming_) connection.abort();
  for (SessionBase& session : sessions_) session.close();
}

void Endpoint::accepted(ListenerKind kind, tcp::socket socket) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return;
  // Answers are small packets that must not wait for Nagle's algorithm.
  socket.set_option(tcp::no_delay(true), ec);
  switch (kind) {
    case ListenerKind::mqtt:
      start_session(transports::Stream(std::move(socket)));
      return;
    case ListenerKind::mqtts:
    case ListenerKind::http:
    case ListenerKind::https:
      start_incoming(kind, std::move(socket));
      return;
  }
}

void Endpoint::start_incoming(ListenerKind kind, tcp::socket socket) {
  const auto protocol =
      kind == ListenerKind::mqtts ? IncomingConnection::Protocol::mqtt : IncomingConnection::Protocol::http;
  std::optional<tls::TlsContext> tls;
  if (kind != ListenerKind::http) tls = tls_;
  auto* connection =
      new IncomingConnection(*this, transports::Stream(std::move(socket)), protocol, std::move(tls));
  incoming_.push_back(*connection);
  asio::co_spawn(io_, connection->run(), [this, connection](const std::exception_ptr& failure) {
    if (failure) bump(shared_->hub.counters.task_failures);
    delete connection;
  });
}

void Endpoint::start_session(transports::Stream stream) {
  if (stopped_) {
    boost::system::error_code ignored;
    stream.close(ignored);
    return;
  }
  auto* session = new MqttSession(*shared_, std::move(stream));
  sessions_.push_back(*session);
  asio::co_spawn(io_, session->run(), [this, session](const std::exception_ptr& failure) {
    if (failure) {
      bump(shared_->hub.counters.task_failures);
      session->close();
    }
    session->reader_finished();
  });
}

void Endpoint::arm_sweep() {
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    const auto now = SessionBase::Clock::now();
    const auto wall_now = std::chrono::system_clock::now();
    for (SessionBase& session : sessions_) session.sweep(shared_->hub, now, wall_now, shared_->limits);
    shared_->hub.c2d.sweep(wall_now);
    for (IncomingConnection& connection : incoming_) connection.abort_if_late(now);
    arm_sweep();
  });
}

}  // namespace fleetsim::hub
