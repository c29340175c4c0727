/**
 * Parent scoring (spec §3.6) and bad-parent detection (spec §3.5): {@link
 * dev.damselfly.scheduler.server.evaluator.BaseEvaluator} (pieces, upload success, free upload slots, host
 * type, IDC, location) and {@link dev.damselfly.scheduler.server.evaluator.LoadQualityEvaluator} (v2.3.4+:
 * load, IDC, location, host type). Scores are in [0, 1] (higher is better) except the unknown-total pieces
 * term, which like Dragonfly's is a piece-count difference.
 */
package dev.damselfly.scheduler.server.evaluator;
