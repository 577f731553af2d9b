"""graphrt.client.timeline.Timeline: step stats as a Chrome trace (chrome://tracing, Perfetto)."""
from __future__ import annotations

import json
from typing import Any, Dict, List


class Timeline:
    """``Timeline(step_stats, graph=None).generate_chrome_trace_format()`` -> JSON text."""

    def __init__(self, step_stats: Any, graph: Any = None):
        self._step_stats = step_stats
        self._graph = graph

    def generate_chrome_trace_format(self, show_dataflow: bool = True, show_memory: bool = False) -> str:
        events: List[Dict[str, Any]] = []
        for pid, dev in enumerate(self._step_stats.dev_stats):
            events.append({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": dev.device}})
            threads: Dict[int, int] = {}
            for ns in dev.node_stats:
                tid = threads.setdefault(ns.thread_id, len(threads))
                op = ns.timeline_label.split("= ", 1)[-1].rstrip("()") if ns.timeline_label else ns.node_name
                events.append({
                    "name": op, "ph": "X", "cat": "Op", "pid": pid, "tid": tid,
                    "ts": ns.all_start_micros + ns.op_start_rel_micros,
                    "dur": max(ns.op_end_rel_micros - ns.op_start_rel_micros, 0),
                    "args": {"name": ns.node_name, "op": op},
                })
                if show_memory:
                    for out in ns.output:
                        events.append({
                            "name": f"{ns.node_name}:{out.slot}", "ph": "C", "pid": pid,
                            "ts": ns.all_start_micros + ns.all_end_rel_micros,
                            "args": {"bytes": out.tensor_description.allocation_description.requested_bytes},
                        })
            for real, tid in threads.items():
                events.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
                               "args": {"name": f"thread {real & 0xffff}"}})
        return json.dumps({"traceEvents": events, "displayTimeUnit": "ms"}, indent=None)
