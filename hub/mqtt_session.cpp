#include "hub/mqtt_session.hpp"

#include <chrono>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "hub/handlers.hpp"

namespace fleetsim::hub {
namespace {

namespace asio = boost::asio;

bool would_block(const boost::system::error_code& ec) noexcept {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

// Reads per readiness before waiting again: a client that never stops sending must not starve
// the hub thread's other sessions.
constexpr int kReadsPerWakeup = 16;

}  // namespace

MqttSession::MqttSession(EndpointShared& shared, transports::Stream stream)
    : SessionBase(Clock::now()), shared_(shared), stream_(std::move(stream)) {
  bump(shared_.hub.counters.connections_accepted);
  shared_.hub.counters.connections_open.fetch_add(1, std::memory_order_relaxed);
}

MqttSession::~MqttSession() {
  close();
}

asio::awaitable<void> MqttSession::run() {
  while (!closed_ && !closing_) {
    const auto [ec] =
        co_await stream_.async_wait(transports::Stream::wait_read, asio::as_tuple(asio::use_awaitable));
    if (ec || closed_) break;
    read_available();
  }
  // A session closing after its last answers is closed by the flush once they are out.
  if (!closing_) close();
}

void MqttSession::reader_finished() {
  reader_done_ = true;
  delete_if_finished();
}

void MqttSession::send(mqtt::Bytes packets) {
  if (closed_ || packets.empty()) return;
  if (flushing_) {
    queue(packets);  // behind the output already waiting: order on the wire holds
    return;
  }
  // Most answers fit the socket's send buffer: write at once and keep nothing.
  boost::system::error_code ec;
  std::size_t written = stream_.write_some(asio::buffer(packets.data(), packets.size()), ec);
  if (would_block(ec)) {
    written = 0;
  } else if (ec) {
    close();
    return;
  }
  if (written == packets.size()) return;
  if (queue(packets.subspan(written))) flush_when_writable();
}

void MqttSession::close() {
  if (closed_) return;
  closed_ = true;
  if (session().connected()) {
    // Calls waiting for this session's answer end now; its unacknowledged C2D messages wait for
    // the device's next session.
    shared_.hub.methods.session_closed(session(), std::chrono::system_clock::now());
    shared_.hub.c2d.session_closed(session());
  }
  release_identity();
  shared_.hub.counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
  boost::system::error_code ignored;
  stream_.close(ignored);  // completes the reader's wait and a flush's wait with operation_aborted
  std::vector<std::uint8_t>().swap(partial_);
  std::vector<std::uint8_t>().swap(pending_);
  pending_written_ = 0;
}

bool MqttSession::peer_certificate(transports::PeerCertificate& out) const {
  if (closed_ || !stream_.tls()) return false;
  out = stream_.peer_certificate();
  return out.present;
}

void MqttSession::expire() {
  if (closed_) return;
  bump(shared_.hub.counters.keep_alive_expired);
  close();
}

// Reads until the stream has nothing more now. A short read does not prove that for TLS or
// WebSocket (a layer may hold more than one read returns), so only plain TCP stops early; a read
// of 0 bytes without error consumed framing only, and waiting again completes at once if a layer
// still holds data (Stream::async_wait).
void MqttSession::read_available() {
  auto& buffer = shared_.read_buffer;
  const bool plain_tcp = !stream_.tls() && !stream_.websocket();
  for (int reads = 0; reads < kReadsPerWakeup && !closed_ && !closing_; ++reads) {
    boost::system::error_code ec;
    const std::size_t n = stream_.read_some(asio::buffer(buffer), ec);
    if (would_block(ec)) return;
    if (ec) {  // end of stream, reset, TLS or WebSocket failure
      close();
      return;
    }
    if (n == 0) return;
    heard_from(Clock::now());
    on_bytes(mqtt::Bytes(buffer.data(), n));
    if (plain_tcp && n < buffer.size()) return;
  }
}

void MqttSession::on_bytes(mqtt::Bytes fresh) {
  mqtt::Bytes input = fresh;
  const bool from_partial = !partial_.empty();
  if (from_partial) {
    partial_.insert(partial_.end(), fresh.begin(), fresh.end());
    input = partial_;
  }
  Output& answers = shared_.answers;
  answers.clear();
  const auto now = std::chrono::system_clock::now();
  Verdict verdict = Verdict::keep_open;
  std::size_t offset = 0;
  std::size_t needed = 0;
  while (offset < input.size()) {
    const mqtt::DecodeResult result = mqtt::decode(input.subspan(offset), shared_.decode_limits);
    if (result.status == mqtt::DecodeResult::Status::need_more) {
      needed = result.needed;
      break;
    }
    if (result.status == mqtt::DecodeResult::Status::error) {
      // A malformed or oversized packet ends this connection only (STYLE.md practice 12).
      bump(shared_.hub.counters.protocol_errors);
      verdict = Verdict::close;
      break;
    }
    offset += result.consumed;
    verdict = handle_packet(shared_.hub, *this, result.packet, now, answers);
    if (verdict == Verdict::close) break;
  }
  if (verdict == Verdict::keep_open) keep_partial(input, offset, from_partial, needed);
  send(answers);
  if (verdict == Verdict::close) close_after_answers();
}

// Keeps only the unfinished packet at the end of the input, sized for the whole packet once its
// header told how long it is; an idle session keeps no buffer.
void MqttSession::keep_partial(mqtt::Bytes input, std::size_t offset, bool from_partial, std::size_t needed) {
  if (offset == input.size()) {
    std::vector<std::uint8_t>().swap(partial_);
    return;
  }
  if (from_partial) {
    partial_.erase(partial_.begin(), partial_.begin() + static_cast<std::ptrdiff_t>(offset));
  } else {
    partial_.assign(input.begin() + static_cast<std::ptrdiff_t>(offset), input.end());
  }
  if (needed > partial_.capacity()) partial_.reserve(needed);
}

void MqttSession::close_after_answers() {
  if (closed_) return;
  closing_ = true;
  if (!flushing_) close();
}

// Appends to the unsent output; false (and the session closed) when that would pass the bound.
bool MqttSession::queue(mqtt::Bytes packets) {
  if (pending_.size() - pending_written_ + packets.size() > shared_.limits.max_pending_output) {
    bump(shared_.hub.counters.slow_consumers);
    close();
    return false;
  }
  // Drop what was written once it is half the buffer, so a reader that keeps up only slowly
  // cannot grow it without bound (the stream accepts moved data: SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER).
  if (pending_written_ > 0 && pending_written_ >= pending_.size() / 2) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_written_));
    pending_written_ = 0;
  }
  pending_.insert(pending_.end(), packets.begin(), packets.end());
  return true;
}

void MqttSession::flush_when_writable() {
  flushing_ = true;
  stream_.async_wait(transports::Stream::wait_write,
                     [this](const boost::system::error_code& ec) { on_writable(ec); });
}

// Writes what the stream takes of the unsent output; waits again while some is left. The same
// bytes are offered again after a partial write, as TLS requires.
void MqttSession::on_writable(const boost::system::error_code& ec) {
  flushing_ = false;
  if (ec || closed_) {
    close();
    delete_if_finished();
    return;
  }
  boost::system::error_code write_ec;
  const std::size_t written = stream_.write_some(
      asio::buffer(pending_.data() + pending_written_, pending_.size() - pending_written_), write_ec);
  if (write_ec && !would_block(write_ec)) {
    close();
    delete_if_finished();
    return;
  }
  if (!write_ec) pending_written_ += written;
  if (pending_written_ < pending_.size()) {
    flush_when_writable();
    return;
  }
  std::vector<std::uint8_t>().swap(pending_);
  pending_written_ = 0;
  if (closing_) close();
  delete_if_finished();
}

void MqttSession::delete_if_finished() {
  if (reader_done_ && !flushing_) delete this;
}

}  // namespace fleetsim::hub
