// --record: turns what an engine observed into a case's "expect" object, for
// a person to review before it is committed (a recorded wrong answer is a
// bug, not a golden result). What is recorded:
//   return   the return value, by name where it has one (XDP_PASS)
//   packet   the output packet, only when it differs from the input, laid
//            out in lines like the input packet
//   context  the fields the program writes (changed in any case of the
//            suite), in every case, so that "left alone" is checked too
//   maps     the maps the program writes (changed in any case of the suite),
//            in every case: all entries of maps with at most 16, otherwise
//            the entries the run added or changed; keys the run removed as
//            {"absent": true}; per-CPU values for CPU 0, where cases run,
//            and other CPUs that are not zero. Maps the program only reads
//            (routes, configuration) are not repeated in every case.
//   trace    the bpf_trace_printk lines, when there are any
//   ringbuf  the records of each ring buffer that received any
#pragma once

#include "suites/CaseCheck.h"
#include "suites/LocatedJson.h"
#include "suites/SuiteFile.h"

#include <map>
#include <set>
#include <string>

namespace ebpfc::suites {

// What a program writes, learned from all the runs of a suite.
struct ProgramWrites {
  std::set<std::string> maps;
  std::set<std::string> contextFields; // fields a program may write that changed
  void learnFrom(const CaseSpec &spec, const CaseResult &result);
};

// `inputPacket`: the case's "packet" value as written, whose line layout the
// output packet follows.
Json recordExpectations(const CaseSpec &spec, const Json &inputPacket, const CaseResult &result,
                        const ProgramWrites &writes);

// Rewrites the suite file with new "expect" objects for the cases named in
// `expectations` (case name -> expect object), keeping everything else and a
// "comment" an old "expect" had. Returns false with `error` on I/O failure.
bool writeRecordedExpectations(const Suite &suite, const std::map<std::string, Json> &expectations,
                               std::string &error);

// The suite file's JSON, for the input packets recordExpectations() needs.
bool readSuiteJson(const Suite &suite, Json &root, std::string &error);

} // namespace ebpfc::suites
