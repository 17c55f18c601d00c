// Running a parsed query for one page of results (POST /devices/query, reference/iothub-protocol.md
// 3.7), sans-I/O: the caller streams twins in and takes a page out, so the hub never copies its
// registry.
//
//   auto started = QueryRun::start(query, {.max_item_count = 100, .continuation = header});
//   QueryRun& run = std::get<QueryRun>(started);               // or answer 400 with the QueryError
//   for (identity in index, ascending by key, after run.resume_after())
//     if (!run.offer(service_twin(identity))) break;
//   Page page = run.finish();                                  // items, continuation if more
//
// Order. Twins must be offered in ascending byte order of their identity key: "{deviceId}" for
// FROM devices, "{deviceId}/{moduleId}" for FROM devices.modules (the identity's MQTT client id).
// Rows come back in that order and the continuation token holds the last row's key, so the next
// page resumes right after it: no duplicates, no gaps. Offering twins at or before
// resume_after() is allowed; they are skipped, and so are views without a string deviceId (or
// moduleId, for modules).
//
// Cost. A plain query stops as soon as its page is full and one more match proves that another
// page exists (the token is absent on the last page). A grouped or aggregate query (GROUP BY,
// COUNT()...) must see every matching twin on every page: resume_after() is empty and offer()
// never asks to stop; groups are kept sorted by key and paged like rows.
//
// Thread safety: a QueryRun belongs to one thread; the Query it reads must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "hub/query/ast.hpp"
#include "hub/query/error.hpp"

namespace fleetsim::hub::query {

struct PageRequest {
  std::size_t max_item_count = 100;  // the page size (x-ms-max-item-count); 0 counts as 1
  std::string_view continuation;     // x-ms-continuation; empty for the first page
};

struct Page {
  boost::json::array items;
  std::string continuation;    // empty on the last page
  std::string_view item_type;  // x-ms-item-type: "twin" for SELECT *, "raw" otherwise (hub choice)
};

class QueryRun {
 public:
  // A continuation token that this query did not issue gives QueryErrorKind::invalid_continuation.
  static std::variant<QueryRun, QueryError> start(const Query& query, const PageRequest& request);
  // The run keeps a pointer to the query: a temporary would dangle.
  static std::variant<QueryRun, QueryError> start(const Query&& query, const PageRequest& request) = delete;

  // The key after which offering may start ("" for the first page and for grouped queries).
  std::string_view resume_after() const noexcept { return query_->aggregated ? std::string_view() : resume_; }

  // Offers the next twin (a service twin view: deviceId, moduleId, tags, properties...). Returns
  // false when the page is complete and the caller should stop; true to ask for more.
  bool offer(const boost::json::object& twin);

  // The page. Call once, after the last offer().
  Page finish();

 private:
  struct Accumulator {
    std::uint64_t count = 0;  // COUNT(): rows; others: numeric values seen
    double sum = 0;
    std::int64_t integer_sum = 0;
    bool integers_only = true;  // SUM stays an integer while every addend is one and it fits
    boost::json::value best;    // MIN/MAX: the best number seen (null until one is)
  };
  struct Group {
    std::vector<boost::json::value> keys;   // one per GROUP BY path
    std::vector<bool> defined;              // false: the path was undefined in this group
    std::vector<Accumulator> accumulators;  // one per SELECT item
  };

  QueryRun(const Query& query, std::size_t page_size, std::uint64_t returned, std::string resume);

  bool offer_row(const boost::json::object& twin);
  void offer_to_group(const boost::json::object& twin);
  void accumulate(Accumulator& acc, const SelectItem& item, const boost::json::object& twin) const;
  boost::json::object group_row(const Group& group) const;
  void finish_groups();

  const Query* query_;
  std::size_t page_limit_;  // rows this page may hold: the page size, or what TOP leaves
  std::uint64_t returned_;  // rows earlier pages returned
  std::string resume_;
  std::string last_key_;
  std::string key_scratch_;  // reused for every twin's key: no allocation per offer
  bool more_ = false;        // a row beyond the page exists
  bool done_ = false;
  Page page_;
  std::map<std::string, Group, std::less<>> groups_;
  std::vector<std::size_t> item_group_;  // for a grouped query: the GROUP BY index of each plain item
};

}  // namespace fleetsim::hub::query
