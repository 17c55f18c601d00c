// The I/O half of an MQTT client session: bytes between a stream and the codec, shaped for fleets
// of tens of thousands of mostly idle connections on one thread.
//
// Reading: the owner waits for readability (`co_await stream.async_wait(wait_read)`), then calls
// read_available(), which does one non-blocking read_some into the thread's shared buffer and
// hands every whole packet to a callback. Only an incomplete packet's bytes are copied into this
// connection's own buffer, which is released as soon as the packet completes: an idle connection
// holds no buffer at all.
//
// Writing: send() encodes into the thread's scratch buffer and writes what the socket takes
// without blocking; only the unwritten rest is kept here, bounded (kMaxUnwritten beyond the
// packet being written), and flushed by async_flush() when the socket is writable again. A send
// that would overflow the bound is refused, so a slow server produces counted refusals instead of
// memory growth.
//
// The stream must offer non-blocking read_some/write_some with an error_code and
// async_wait(wait_read|wait_write): a TCP socket with non_blocking(true) now; TLS and WebSocket
// streams plug in here later. tcp::socket is instantiated once in client_connection_tcp.cpp.
//
// Thread safety: none; a connection lives on one io_context thread. close() must not be called
// from inside a read_available() callback (the callback's packet points into buffers close()
// releases); return false from the callback instead.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/system/error_code.hpp>

#include "transports/mqtt/codec.hpp"
#include "transports/mqtt/packets.hpp"
#include "transports/stream/stream.hpp"

namespace fleetsim::mqtt {

// One per event-loop thread, shared by all its connections.
struct ClientBuffers {
  explicit ClientBuffers(std::size_t read_size = 64 * 1024) : read(read_size) {}
  std::vector<std::uint8_t> read;     // target of every read_some
  std::vector<std::uint8_t> scratch;  // encode target; grows once to the largest packet sent
};

enum class SendStatus : std::uint8_t {
  written,  // the whole packet is in the socket
  queued,   // part of it waits in this connection; call async_flush() unless flushing()
  refused,  // the unwritten bound would overflow: nothing was written
  failed,   // the stream reported an error: the connection is broken
};

struct ReadOutcome {
  enum class Status : std::uint8_t {
    ok,         // read what there was (possibly nothing); wait for readability again
    stopped,    // the callback returned false
    closed,     // the peer closed the stream
    failed,     // transport error in `error`
    malformed,  // protocol error: `error` holds the CodecError
  };
  Status status = Status::ok;
  std::error_code error;
};

template <class Stream>
class ClientConnection {
 public:
  static constexpr std::size_t kMaxUnwritten = 64 * 1024;

  template <class... Args>
  explicit ClientConnection(Args&&... args) : stream_(std::forward<Args>(args)...) {}

  Stream& stream() noexcept { return stream_; }

  // The MQTT version every packet is encoded and decoded with (3.1.1 unless set); set it before
  // the CONNECT of that version goes out.
  void set_protocol_version(ProtocolVersion version) noexcept { version_ = version; }
  ProtocolVersion protocol_version() const noexcept { return version_; }

  SendStatus send(const Packet& packet, ClientBuffers& buffers);

  // One non-blocking read, then on_packet(const Packet&) -> bool for every whole packet, in order.
  template <class OnPacket>
  ReadOutcome read_available(ClientBuffers& buffers, OnPacket&& on_packet);

  bool has_unwritten() const noexcept { return !unwritten_.empty(); }
  bool flushing() const noexcept { return flushing_; }
  // Bytes this connection holds right now (partial packet + unwritten rest), for memory checks.
  std::size_t buffered_bytes() const noexcept { return partial_.capacity() + unwritten_.capacity(); }

  // Writes the unwritten rest as the socket accepts it; handler(boost::system::error_code) once
  // it is all written or the stream failed (operation_aborted after close()).
  template <class Handler>
  void async_flush(Handler handler) {
    flushing_ = true;
    stream_.async_wait(boost::asio::socket_base::wait_write,
                       [this, h = std::move(handler)](const boost::system::error_code& ec) mutable {
                         on_writable(ec, std::move(h));
                       });
  }

  // Closes the stream (pending waits complete with operation_aborted) and releases the buffers.
  void close() noexcept;

 private:
  template <class Handler>
  void on_writable(const boost::system::error_code& ec, Handler handler);
  // Decodes whole packets from the front of `data`; returns bytes used in `used`.
  template <class OnPacket>
  ReadOutcome consume(Bytes data, OnPacket& on_packet, std::size_t& used, std::size_t& needed);
  void release_partial() noexcept { std::vector<std::uint8_t>().swap(partial_); }

  Stream stream_;
  std::vector<std::uint8_t> partial_;    // only while a packet is incomplete
  std::vector<std::uint8_t> unwritten_;  // only while the socket is full
  bool flushing_ = false;
  ProtocolVersion version_ = ProtocolVersion::v3_1_1;
};

namespace detail {
inline bool would_block(const boost::system::error_code& ec) noexcept {
  return ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
}
}  // namespace detail

template <class Stream>
template <class OnPacket>
ReadOutcome ClientConnection<Stream>::consume(Bytes data, OnPacket& on_packet, std::size_t& used,
                                              std::size_t& needed) {
  used = 0;
  needed = 0;
  while (used < data.size()) {
    DecodeResult r = decode(data.subspan(used), DecodeLimits{.version = version_});
    switch (r.status) {
      case DecodeResult::Status::packet:
        used += r.consumed;
        if (!on_packet(static_cast<const Packet&>(r.packet))) return {ReadOutcome::Status::stopped, {}};
        break;
      case DecodeResult::Status::need_more:
        needed = r.needed;
        return {};
      case DecodeResult::Status::error:
        return {ReadOutcome::Status::malformed, make_error_code(r.error)};
    }
  }
  return {};
}

template <class Stream>
template <class OnPacket>
ReadOutcome ClientConnection<Stream>::read_available(ClientBuffers& buffers, OnPacket&& on_packet) {
  boost::system::error_code ec;
  const std::size_t n = stream_.read_some(boost::asio::buffer(buffers.read), ec);
  if (detail::would_block(ec)) return {};
  if (ec == boost::asio::error::eof) return {ReadOutcome::Status::closed, ec};
  if (ec) return {ReadOutcome::Status::failed, ec};

  const Bytes fresh(buffers.read.data(), n);
  std::size_t used = 0;
  std::size_t needed = 0;
  if (partial_.empty()) {
    const ReadOutcome out = consume(fresh, on_packet, used, needed);
    if (out.status != ReadOutcome::Status::ok) return out;
    if (used < fresh.size()) {
      // Keep just the incomplete packet, sized for all of it when its header says how long it is.
      partial_.reserve(std::max(needed, fresh.size() - used));
      partial_.assign(fresh.begin() + static_cast<std::ptrdiff_t>(used), fresh.end());
    }
    return {};
  }
  partial_.insert(partial_.end(), fresh.begin(), fresh.end());
  const ReadOutcome out = consume(Bytes(partial_.data(), partial_.size()), on_packet, used, needed);
  if (out.status != ReadOutcome::Status::ok) return out;
  if (used == partial_.size()) {
    release_partial();
  } else if (used > 0) {
    partial_.erase(partial_.begin(), partial_.begin() + static_cast<std::ptrdiff_t>(used));
  }
  return {};
}

template <class Stream>
SendStatus ClientConnection<Stream>::send(const Packet& packet, ClientBuffers& buffers) {
  const EncodeOptions options{version_};
  const std::size_t size = encoded_size(packet, options);
  if (!unwritten_.empty()) {
    // Order on the wire must hold: behind bytes already waiting, the packet waits too.
    if (unwritten_.size() + size > kMaxUnwritten) return SendStatus::refused;
    const std::size_t old = unwritten_.size();
    unwritten_.resize(old + size);
    encode_to(packet, unwritten_.data() + old, options);
    return SendStatus::queued;
  }
  if (buffers.scratch.size() < size) buffers.scratch.resize(size);
  encode_to(packet, buffers.scratch.data(), options);
  boost::system::error_code ec;
  std::size_t written = stream_.write_some(boost::asio::buffer(buffers.scratch.data(), size), ec);
  if (ec && !detail::would_block(ec)) return SendStatus::failed;
  if (ec) written = 0;
  if (written == size) return SendStatus::written;
  unwritten_.assign(buffers.scratch.begin() + static_cast<std::ptrdiff_t>(written),
                    buffers.scratch.begin() + static_cast<std::ptrdiff_t>(size));
  return SendStatus::queued;
}

template <class Stream>
template <class Handler>
void ClientConnection<Stream>::on_writable(const boost::system::error_code& ec, Handler handler) {
  if (ec) {
    flushing_ = false;
    handler(ec);
    return;
  }
  boost::system::error_code write_ec;
  const std::size_t written =
      stream_.write_some(boost::asio::buffer(unwritten_.data(), unwritten_.size()), write_ec);
  if (write_ec && !detail::would_block(write_ec)) {
    flushing_ = false;
    handler(write_ec);
    return;
  }
  if (!write_ec) {
    unwritten_.erase(unwritten_.begin(), unwritten_.begin() + static_cast<std::ptrdiff_t>(written));
  }
  if (unwritten_.empty()) {
    std::vector<std::uint8_t>().swap(unwritten_);
    flushing_ = false;
    handler(boost::system::error_code{});
    return;
  }
  async_flush(std::move(handler));
}

template <class Stream>
void ClientConnection<Stream>::close() noexcept {
  boost::system::error_code ignored;
  stream_.close(ignored);
  release_partial();
  std::vector<std::uint8_t>().swap(unwritten_);
}

extern template class ClientConnection<boost::asio::ip::tcp::socket>;
extern template class ClientConnection<transports::Stream>;

}  // namespace fleetsim::mqtt
