// The Stream's WebSocket opening handshakes (client and server) and the plain write used for
// HTTP heads before framing is on.
#include <array>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "transports/stream/stream.hpp"
#include "transports/stream/websocket_handshake.hpp"
#include "transports/stream/ws_state.hpp"

namespace fleetsim::transports {
namespace {

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// The Sec-WebSocket-Key nonce, from the same cheap generator family as the mask keys.
std::array<std::uint8_t, 16> nonce_from(std::uint64_t seed) {
  std::array<std::uint8_t, 16> nonce;
  for (std::size_t i = 0; i < nonce.size(); i += 8) {
    seed += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    for (std::size_t j = 0; j < 8; ++j) nonce[i + j] = static_cast<std::uint8_t>(z >> (8 * j));
  }
  return nonce;
}

}  // namespace

boost::asio::awaitable<boost::system::error_code> Stream::async_write_all(
    std::span<const std::uint8_t> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    boost::system::error_code ec;
    done += raw_write(boost::asio::buffer(data.data() + done, data.size() - done), ec);
    if (ec && !would_block(ec)) co_return ec;
    if (done == data.size()) break;
    auto [wait_ec] =
        co_await socket_.async_wait(wait_write, boost::asio::as_tuple(boost::asio::use_awaitable));
    if (wait_ec) co_return wait_ec;
    if (!socket_.is_open()) co_return boost::asio::error::operation_aborted;
  }
  co_return boost::system::error_code{};
}

boost::asio::awaitable<boost::system::error_code> Stream::async_ws_client_handshake(
    std::string_view host, std::string_view path, std::string_view subprotocol) {
  ws_.reset();
  ws_status_ = 0;
  ws_refusal_ = 0;
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) co_return ec;
  const std::string wanted_subprotocol(subprotocol);  // the views end at the first suspension
  const std::uint64_t seed = websocket_seed(socket_.native_handle());
  const std::string key = ws::client_key(nonce_from(seed));
  const std::string request = ws::client_upgrade_request(host, path, subprotocol, key);
  ec = co_await async_write_all(as_bytes(request));
  if (ec) co_return ec;

  const auto refuse = [this](ws::Refusal refusal, std::uint16_t status) {
    ws_refusal_ = static_cast<std::uint8_t>(refusal);
    ws_status_ = status;
    return make_error_code(StreamError::ws_handshake_refused);
  };
  // The answer's head, read in small steps; what follows it is already framed data.
  std::string head;
  std::size_t head_size = 0;
  for (;;) {
    if (head.size() >= ws::kMaxHandshakeHead) co_return refuse(ws::Refusal::response_too_large, 0);
    const std::size_t old = head.size();
    const std::size_t room = std::min<std::size_t>(1024, ws::kMaxHandshakeHead - old);
    head.resize(old + room);
    boost::system::error_code read_ec;
    const std::size_t n = raw_read(boost::asio::buffer(head.data() + old, room), read_ec);
    head.resize(old + (read_ec ? 0 : n));
    if (read_ec == boost::asio::error::eof) co_return refuse(ws::Refusal::closed_before_response, 0);
    if (read_ec && !would_block(read_ec)) co_return read_ec;
    if (!read_ec) {
      // The end may straddle the previous step's last bytes.
      const std::size_t from = old >= 3 ? old - 3 : 0;
      const std::size_t end = ws::head_end(std::string_view(head).substr(from));
      if (end != 0) {
        head_size = from + end;
        break;
      }
      continue;
    }
    auto [wait_ec] =
        co_await socket_.async_wait(wait_read, boost::asio::as_tuple(boost::asio::use_awaitable));
    if (wait_ec) co_return wait_ec;
    if (!socket_.is_open()) co_return boost::asio::error::operation_aborted;
  }
  const ws::ResponseCheck check =
      ws::check_upgrade_response(std::string_view(head).substr(0, head_size), key, wanted_subprotocol);
  if (check.refusal != ws::Refusal::none) co_return refuse(check.refusal, check.status);
  ws_ = std::make_unique<WsState>(ws::Role::client, seed);
  if (head_size < head.size())
    ws_->leftover.assign(head.begin() + static_cast<std::ptrdiff_t>(head_size), head.end());
  co_return boost::system::error_code{};
}

boost::asio::awaitable<boost::system::error_code> Stream::async_ws_server_accept(
    std::string_view sec_websocket_key, std::string_view subprotocol,
    std::span<const std::uint8_t> leftover) {
  ws_.reset();
  ws_status_ = 0;
  ws_refusal_ = 0;
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) co_return ec;
  // Copied before the first suspension: the caller's views need not outlive this call's start.
  auto state = std::make_unique<WsState>(ws::Role::server, websocket_seed(socket_.native_handle()));
  state->leftover.assign(leftover.begin(), leftover.end());
  const std::string response = ws::server_upgrade_response(sec_websocket_key, subprotocol);
  ec = co_await async_write_all(as_bytes(response));
  if (ec) co_return ec;
  ws_ = std::move(state);
  co_return boost::system::error_code{};
}

std::string Stream::ws_failure_reason() const {
  if (ws_ && ws_->framing.violation() != ws::Violation::none) {
    return "WebSocket protocol error: " + std::string(ws::describe(ws_->framing.violation()));
  }
  const auto refusal = static_cast<ws::Refusal>(ws_refusal_);
  if (refusal == ws::Refusal::none) return {};
  if (refusal == ws::Refusal::not_switching) {
    return "HTTP " + std::to_string(ws_status_) + " instead of 101 Switching Protocols";
  }
  return std::string(ws::describe(refusal));
}

}  // namespace fleetsim::transports
