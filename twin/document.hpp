// The device twin: tags, desired and reported sections with per-section $version, the twin
// `version` and `etag`, and `$metadata` (reference/iothub-protocol.md section 4).
//
// Pure logic over Boost.JSON values: no I/O, no clock (the caller passes `now`). The hub's twin
// store and a device's own copy share this implementation.
//
// Every mutating operation validates the whole operation first; a refusal changes nothing,
// versions included, and carries the IoT Hub status and error code a hub would return.
//
// Thread safety: none; a Document belongs to one thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace fleetsim::twin {

using Timestamp = std::chrono::system_clock::time_point;

// An IoT Hub refusal: HTTP-style status (400, 412, 413...) and the six-digit error code
// (400004 ArgumentInvalid, 412001 PreconditionFailed...), with a human message.
struct Error {
  int status = 0;
  int error_code = 0;
  std::string message;
};

// Result of an operation: ok() or the refusal.
class Result {
 public:
  Result() = default;
  explicit Result(Error e) : error_(std::move(e)), ok_(false) {}
  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const noexcept { return error_; }

 private:
  Error error_{};
  bool ok_ = true;
};

// The validation limits of reference section 5.3 (and the key/value rules of section 4).
struct Limits {
  std::size_t max_tags_bytes = 8 * 1024;
  std::size_t max_desired_bytes = 32 * 1024;
  std::size_t max_reported_bytes = 32 * 1024;
  int max_depth = 10;  // containers (objects, and arrays: hub choice) nested below the section root
  std::size_t max_key_bytes = 1024;
  std::size_t max_string_bytes = 4096;
};

enum class Section { tags, desired, reported };

// ISO 8601 UTC with seven fractional digits, as real change events carry them (years 0-9999).
std::string format_timestamp(Timestamp t);

// Validates a patch (or replacement) for one section without applying it (reference 4.2): object
// at the root; keys not empty, at most max_key_bytes, without C0/C1 controls, '.', '$' or space;
// values boolean, number, string, object, array (arrays accepted everywhere: hub choice), or null
// in a patch; integers within +-2^52; strings at most max_string_bytes; depth at most max_depth.
// `for_replace` validates a whole section instead of a patch (nulls refused). Also checks the
// section size limit against the operation's own content: a merged result is never smaller
// than the non-null content of the patch, so this refuses no operation Document would accept
// (Document::patch checks the merged result itself).
Result validate(Section section, const boost::json::value& patch, const Limits& limits = {},
                bool for_replace = false);

class Document {
 public:
  explicit Document(Limits limits = {});

  // Section contents without "$version"/"$metadata".
  const boost::json::object& tags() const noexcept { return tags_; }
  const boost::json::object& desired() const noexcept { return desired_; }
  const boost::json::object& reported() const noexcept { return reported_; }

  std::uint64_t desired_version() const noexcept { return desired_version_; }
  std::uint64_t reported_version() const noexcept { return reported_version_; }
  std::uint64_t version() const noexcept { return version_; }  // twin version
  const std::string& etag() const noexcept { return etag_; }   // opaque, changes on every change

  // Merge-patch (null removes, objects merge, anything else replaces). Validates first, checks
  // the merged section's size limit, then applies, bumps the section's $version and the twin
  // version, renews the etag and updates $metadata from the changed leaves up to the root.
  // `patch` must not alias this document's own contents.
  Result patch(Section section, const boost::json::value& patch, Timestamp now);

  // Replaces the whole tags or desired section (service PUT). Reported cannot be replaced.
  Result replace(Section section, const boost::json::value& whole, Timestamp now);

  // What a device sees on twin GET: {"desired":{...,"$version":n},"reported":{...,"$version":m}}
  // (no $metadata, reference 2.8).
  boost::json::object device_view() const;

  // The section as the service reads it: contents plus "$metadata" (with $lastUpdated on every
  // level, and $lastUpdatedVersion for desired) and "$version".
  boost::json::object section_view(Section section) const;

  // The body a desired notification carries: the patch as given plus "$version".
  // Precondition: `patch` is an object (as every accepted patch or replacement is).
  static boost::json::object desired_notification(const boost::json::value& patch, std::uint64_t version);

 private:
  boost::json::object& contents(Section section) noexcept;
  boost::json::object* metadata(Section section) noexcept;  // nullptr for tags
  std::uint32_t& bytes(Section section) noexcept;
  // Bumps the twin version and renews the etag: every accepted operation changes both.
  void record_change();

  Limits limits_;
  boost::json::object tags_;
  boost::json::object desired_;
  boost::json::object reported_;
  // $metadata kept beside the values, not inside them, so reads of the contents need no
  // filtering (layout in twin/metadata.hpp). Tags have no metadata (reference 4.3).
  boost::json::object desired_metadata_;
  boost::json::object reported_metadata_;
  // Section sizes as reference 4.2 counts them, kept so a patch is checked by its delta alone
  // without walking the whole section.
  std::uint32_t tags_bytes_ = 0;
  std::uint32_t desired_bytes_ = 0;
  std::uint32_t reported_bytes_ = 0;
  std::uint64_t desired_version_ = 1;
  std::uint64_t reported_version_ = 1;
  std::uint64_t version_ = 1;
  std::string etag_;
};

}  // namespace fleetsim::twin
