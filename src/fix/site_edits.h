// How one call site is changed so that its request carries the trace: a
// headers entry merged into what the call sends (never replacing it),
// OpenTelemetry's inject before its statement, a keyword argument laid out
// like the call's others. Each returns "" when done, else why it cannot be
// done safely (the caller then undoes what was added).
#pragma once

#include <cstddef>
#include <string>

#include "audit/index/code_index.h"
#include "audit/rules/outbound_calls.h"
#include "fix/edited_file.h"

namespace tracemesh::fix {

// `item` (an argument, a dict entry) added after the last item of `list` in
// `file`, as the list is laid out: on the line, or on a line of its own with
// the indentation and trailing comma of the others; past the file's wrap
// width, on a new line under the list's first item.
TextEdit append_item(const PythonFile& file, const ListLayout& list, const std::string& item);

// `item` put before the first item of non-empty `list`, laid out like it.
TextEdit prepend_item(const ListLayout& list, const std::string& item);

// The call of `site` in `file` that headers can be given to: the request, or
// functools.partial / asyncio.to_thread handed it (both pass keywords on);
// nullptr with the reason otherwise. `ordinal`: which of the line's requests
// of the site's method it is (0 for the first), as the audit lists them.
const CallSyntax* request_call(const EditedFile& file, const audit::CodeIndex& index,
                               const audit::OutboundCall& site, std::size_t ordinal,
                               std::string& reason);

// Make `call` also send `entry` (`**trace_headers()`, `H: var.get("")`),
// before its own headers so that a header the call sets itself still wins;
// `bare` is its headers when it had none. `enclosing`: its function, or null.
std::string merge_headers(EditedFile& file, const CallSyntax& call,
                          const audit::Function* enclosing, const std::string& entry,
                          const std::string& bare);

// `inject(carrier)` before the statement of `call`, the carrier its headers:
// in place when `function` (the call's, or null) builds that dict itself for
// this call alone, else a dict of its own.
std::string inject_before(EditedFile& file, const CallSyntax& call,
                          const audit::Function* function);

// Whether a request method (get, post... request, stream) is called on
// `line` of `file`, rather than only handed to another call.
bool requests_on_line(const EditedFile& file, int line);

// Whether `name` is one of `function`'s parameters (false for null).
bool is_parameter(const audit::Function* function, const std::string& name);

// Whether `name` (`trace_headers`, `tracing.trace_headers`: its first part)
// means something else inside `function`: a parameter or a local.
bool shadowed(const audit::Function* function, const std::string& name);

}  // namespace tracemesh::fix
