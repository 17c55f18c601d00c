// The Stream's I/O after the handshakes: the transport (TCP or TLS) below, WebSocket framing
// above it, readiness, closing.
#include "transports/stream/stream.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "transports/stream/ws_state.hpp"

namespace fleetsim::transports {
namespace {

// A TLS record's worth: each chunk becomes one record, and a WebSocket client masks into it
// instead of into a per-stream buffer.
constexpr std::size_t kChunkSize = 16 * 1024;

}  // namespace

Stream::Stream(boost::asio::io_context& io) : socket_(io) {}

Stream::Stream(tcp::socket socket) : socket_(std::move(socket)) {}

Stream::~Stream() {
  free_ssl();
}

Stream::Stream(Stream&& other) noexcept
    : socket_(std::move(other.socket_)),
      ssl_(std::exchange(other.ssl_, nullptr)),
      ws_(std::move(other.ws_)),
      tls_error_(other.tls_error_),
      tls_verify_result_(other.tls_verify_result_),
      ws_status_(other.ws_status_),
      ws_refusal_(other.ws_refusal_),
      more_input_(std::exchange(other.more_input_, false)),
      write_blocked_(std::exchange(other.write_blocked_, false)) {}

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this == &other) return *this;
  free_ssl();
  socket_ = std::move(other.socket_);
  ssl_ = std::exchange(other.ssl_, nullptr);
  ws_ = std::move(other.ws_);
  tls_error_ = other.tls_error_;
  tls_verify_result_ = other.tls_verify_result_;
  ws_status_ = other.ws_status_;
  ws_refusal_ = other.ws_refusal_;
  more_input_ = std::exchange(other.more_input_, false);
  write_blocked_ = std::exchange(other.write_blocked_, false);
  return *this;
}

std::size_t Stream::raw_read(const boost::asio::mutable_buffer& buffer, boost::system::error_code& ec) {
  if (ssl_ != nullptr) return tls_read(buffer, ec);
  const std::size_t n = socket_.read_some(buffer, ec);
  // A short read drained the socket; a full one may have left bytes behind.
  more_input_ = !ec && n > 0 && n == buffer.size();
  return n;
}

std::size_t Stream::raw_write(const boost::asio::const_buffer& buffer, boost::system::error_code& ec) {
  if (ssl_ != nullptr) return tls_write(buffer, ec);
  const std::size_t n = socket_.write_some(buffer, ec);
  write_blocked_ = would_block(ec) || (!ec && n < buffer.size());
  return n;
}

std::size_t Stream::read_some(const boost::asio::mutable_buffer& buffer, boost::system::error_code& ec) {
  ec = {};
  if (!ws_) return raw_read(buffer, ec);
  ws::Framing& framing = ws_->framing;
  if (framing.close_received()) {
    ec = boost::asio::error::eof;
    return 0;
  }
  if (buffer.size() == 0) return 0;
  auto* bytes = static_cast<std::uint8_t*>(buffer.data());
  std::size_t n = 0;
  std::vector<std::uint8_t>& leftover = ws_->leftover;
  if (!leftover.empty()) {
    n = std::min(buffer.size(), leftover.size());
    std::memcpy(bytes, leftover.data(), n);
    if (n == leftover.size()) {
      std::vector<std::uint8_t>().swap(leftover);
    } else {
      leftover.erase(leftover.begin(), leftover.begin() + static_cast<std::ptrdiff_t>(n));
    }
  } else {
    n = raw_read(buffer, ec);
    if (ec) return 0;
  }
  const ws::DecodeResult result = framing.decode(std::span<std::uint8_t>(bytes, n));
  if (result.violation != ws::Violation::none) {
    framing.queue_close(ws::kCloseProtocolError);
    ws_flush_control();
    ec = make_error_code(StreamError::ws_protocol_error);
    return 0;
  }
  ws_flush_control();  // a pong or the answer to a close
  if (result.payload == 0 && framing.close_received()) {
    ec = boost::asio::error::eof;
    return 0;
  }
  return result.payload;
}

std::size_t Stream::write_some(const boost::asio::const_buffer& buffer, boost::system::error_code& ec) {
  ec = {};
  if (!ws_) return raw_write(buffer, ec);
  return ws_write(buffer, ec);
}

std::size_t Stream::ws_write(const boost::asio::const_buffer& buffer, boost::system::error_code& ec) {
  ws::Framing& framing = ws_->framing;
  if (framing.close_received() || framing.close_queued()) {
    ec = make_error_code(StreamError::ws_closed);
    return 0;
  }
  if (buffer.size() == 0) return 0;
  thread_local std::array<std::uint8_t, kChunkSize> chunk;
  const std::span<const std::uint8_t> payload(static_cast<const std::uint8_t*>(buffer.data()), buffer.size());
  std::size_t done = 0;
  for (;;) {
    const std::size_t prepared = framing.prepare(payload.subspan(done), chunk);
    if (prepared == 0) break;  // all written, the frame complete, no control frame waiting
    boost::system::error_code write_ec;
    std::size_t written = raw_write(boost::asio::buffer(chunk.data(), prepared), write_ec);
    if (write_ec) written = 0;
    done += framing.commit(written);
    if (write_ec) {
      if (done == 0) ec = write_ec;  // else the next call meets the error again
      break;
    }
    if (written < prepared) break;  // the transport is full
  }
  // Framing bytes may have left without any payload: the caller still has to wait and retry.
  if (done == 0 && !ec) ec = boost::asio::error::would_block;
  return done;
}

void Stream::ws_flush_control() noexcept {
  // Control frames go only between data frames, and never past a transport write that waits
  // for its retry (TLS would take them for that retry).
  ws::Framing& framing = ws_->framing;
  if (write_blocked_ || !framing.control_pending() || framing.writing_frame() || !socket_.is_open()) return;
  std::array<std::uint8_t, ws::kMinPrepareSpace> frame;
  const std::size_t prepared = framing.prepare({}, frame);
  boost::system::error_code ec;
  std::size_t written = raw_write(boost::asio::buffer(frame.data(), prepared), ec);
  if (ec) written = 0;
  framing.commit(written);
}

bool Stream::readable_without_socket() const noexcept {
  if (more_input_) return true;
  // Only decrypted bytes count: a partial record OpenSSL holds needs the socket to complete.
  if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return true;
  return ws_ && (!ws_->leftover.empty() || ws_->framing.close_received());
}

void Stream::close(boost::system::error_code& ec) {
  if (socket_.is_open() && !write_blocked_) {
    if (ws_ && !ws_->framing.close_sent() && !ws_->framing.writing_frame() &&
        ws_->framing.queue_close(ws::kCloseNormal)) {
      ws_flush_control();
    }
    if (ssl_ != nullptr && SSL_is_init_finished(ssl_) && !write_blocked_) {
      ERR_clear_error();
      SSL_shutdown(ssl_);  // sends close_notify if the socket takes it; no wait for the peer's
      ERR_clear_error();
    }
  }
  free_ssl();
  ws_.reset();
  more_input_ = false;
  write_blocked_ = false;
  socket_.close(ec);
}

void Stream::shutdown(tcp::socket::shutdown_type what, boost::system::error_code& ec) {
  socket_.shutdown(what, ec);
}

}  // namespace fleetsim::transports
