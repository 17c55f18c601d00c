#include "twin/document.hpp"

#include "twin/etag.hpp"
#include "twin/merge.hpp"
#include "twin/metadata.hpp"
#include "twin/validation.hpp"

namespace fleetsim::twin {

namespace json = boost::json;

Document::Document(Limits limits) : limits_(limits) {
  detail::write_etag(etag_, version_);
}

json::object& Document::contents(Section section) noexcept {
  switch (section) {
    case Section::tags:
      return tags_;
    case Section::desired:
      return desired_;
    case Section::reported:
      return reported_;
  }
  return tags_;
}

json::object* Document::metadata(Section section) noexcept {
  switch (section) {
    case Section::tags:
      return nullptr;
    case Section::desired:
      return &desired_metadata_;
    case Section::reported:
      return &reported_metadata_;
  }
  return nullptr;
}

std::uint32_t& Document::bytes(Section section) noexcept {
  switch (section) {
    case Section::tags:
      return tags_bytes_;
    case Section::desired:
      return desired_bytes_;
    case Section::reported:
      return reported_bytes_;
  }
  return tags_bytes_;
}

void Document::record_change() {
  ++version_;
  detail::write_etag(etag_, version_);
}

Result Document::patch(Section section, const json::value& patch, Timestamp now) {
  json::object& target = contents(section);
  std::int64_t delta = 0;
  Result checked = detail::check_operation(section, patch, &target, detail::Mode::patch, limits_, delta);
  if (!checked) return checked;
  const std::int64_t size = bytes(section) + delta;
  checked = detail::check_section_size(section, size, limits_);
  if (!checked) return checked;

  // Only desired stamps carry the section's $version (reference 4.5).
  detail::Stamp stamp = detail::make_stamp(now, 0);
  if (section == Section::desired) stamp.version = ++desired_version_;
  if (section == Section::reported) ++reported_version_;
  detail::merge_patch(target, metadata(section), patch.get_object(), stamp);
  bytes(section) = static_cast<std::uint32_t>(size);
  record_change();
  return checked;
}

Result Document::replace(Section section, const json::value& whole, Timestamp now) {
  if (section == Section::reported) {
    return Result(Error{400, 400004, "reported: reported properties cannot be replaced, only patched"});
  }
  std::int64_t size = 0;
  Result checked = detail::check_operation(section, whole, nullptr, detail::Mode::replace, limits_, size);
  if (!checked) return checked;
  checked = detail::check_section_size(section, size, limits_);
  if (!checked) return checked;

  contents(section) = whole.get_object();
  if (section == Section::desired) {
    desired_metadata_ = detail::build_node(desired_, detail::make_stamp(now, ++desired_version_));
  }
  bytes(section) = static_cast<std::uint32_t>(size);
  record_change();
  return checked;
}

json::object Document::device_view() const {
  json::object view;
  json::object& desired = view["desired"].emplace_object();
  desired = desired_;
  desired["$version"] = static_cast<std::int64_t>(desired_version_);
  json::object& reported = view["reported"].emplace_object();
  reported = reported_;
  reported["$version"] = static_cast<std::int64_t>(reported_version_);
  return view;
}

json::object Document::section_view(Section section) const {
  switch (section) {
    case Section::tags:
      return tags_;
    case Section::desired: {
      json::object view = desired_;
      view["$metadata"] = detail::render_metadata(desired_, desired_metadata_);
      view["$version"] = static_cast<std::int64_t>(desired_version_);
      return view;
    }
    case Section::reported: {
      json::object view = reported_;
      view["$metadata"] = detail::render_metadata(reported_, reported_metadata_);
      view["$version"] = static_cast<std::int64_t>(reported_version_);
      return view;
    }
  }
  return {};
}

json::object Document::desired_notification(const json::value& patch, std::uint64_t version) {
  json::object body = patch.as_object();
  body["$version"] = static_cast<std::int64_t>(version);
  return body;
}

}  // namespace fleetsim::twin
