//! The paired lane of `regress`: both builds, rounds until decided or out of budget, verdicts.
use std::{
    collections::{BTreeMap, BTreeSet},
    time::Instant,
};

use crate::{
    compare::{BenchmarkComparison, Verdict},
    paired::{
        Engine, EngineConfig, Pair,
        verdict::{Judging, Need, Outcome, Rounds, judge},
    },
    stats,
    suite::BuiltSuite,
};

/// Everything a paired comparison needs besides the two builds.
#[derive(Debug, Clone)]
pub struct PairedPlan {
    /// Benchmarks to compare.
    pub ids: Vec<String>,
    /// Threshold of each id (already raised to its noise floor).
    pub thresholds: BTreeMap<String, f64>,
    /// Noise floor of each id, when calibrated.
    pub floors: BTreeMap<String, f64>,
    /// Criterion settings and round shape.
    pub engine: EngineConfig,
    /// Statistics and round counts.
    pub judging: Judging,
    /// Wall-time budget, seconds, for the whole comparison (the first set always completes).
    pub budget_s: f64,
    /// Where Criterion's files and the processes' logs go.
    pub work_dir: std::path::PathBuf,
    /// Print a line per round.
    pub verbose: bool,
    /// A slowdown injected into the candidate (the gate's own power measurement only).
    pub injection: Option<crate::paired::lockstep::Injection>,
}

/// What the rounds found.
#[derive(Debug)]
pub struct PairedResult {
    /// One row per benchmark, for the shared report.
    pub comparisons: Vec<BenchmarkComparison>,
    /// Rounds run in all.
    pub rounds_run: usize,
    /// Whether the budget ran out before every benchmark was decided.
    pub budget_exhausted: bool,
    /// Seconds spent measuring.
    pub elapsed_s: f64,
    /// Per benchmark: the raw rounds, kept in the JSON for inspection.
    pub rounds: BTreeMap<String, Rounds>,
    /// Declared throughput per id.
    pub throughput: BTreeMap<String, crate::criterion::Throughput>,
    /// How each process pair alternated.
    pub turns: Vec<crate::paired::lockstep::TurnReport>,
}

/// Runs the rounds: the first set for every id, then confirmation and extra rounds for the
/// benchmarks that need them, while the budget allows.
pub fn run(
    baseline: &BuiltSuite,
    candidate: &BuiltSuite,
    plan: &PairedPlan,
) -> anyhow::Result<PairedResult> {
    let started = Instant::now();
    let mut engine = Engine::new(baseline, candidate, plan.engine, plan.work_dir.clone());
    engine.injection = plan.injection.clone();
    engine.size(&plan.ids)?;
    if plan.verbose {
        eprintln!(
            "sizing pass (candidate only, not compared): {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    let mut rounds: BTreeMap<String, Rounds> = plan
        .ids
        .iter()
        .map(|id| (id.clone(), Rounds::default()))
        .collect();
    // Which set each id's results of a round go to.
    let mut targets: BTreeMap<String, Need> = plan
        .ids
        .iter()
        .map(|id| (id.clone(), Need::First))
        .collect();
    let mut pending_rounds = plan.judging.min_rounds;
    // When the budget is short, the benchmarks in a confirmation set get the rounds it has
    // left: their verdict can fail the gate, an undecided one's cannot.
    let mut confirming_only = false;
    loop {
        let ids: Vec<String> = targets
            .iter()
            .filter(|(_, need)| **need != Need::Nothing)
            .filter(|(_, need)| !confirming_only || **need == Need::Second)
            .map(|(id, _)| id.clone())
            .collect();
        for _ in 0..pending_rounds {
            let pairs = engine.round(&ids)?;
            for (id, pair) in pairs {
                let entry = rounds.entry(id.clone()).or_default();
                match targets[&id] {
                    Need::Second => entry.second.push(pair),
                    _ => entry.first.push(pair),
                }
            }
            if plan.verbose {
                let alternation = engine
                    .turns
                    .last()
                    .map_or(0.0, crate::paired::lockstep::TurnReport::alternation);
                eprintln!(
                    "round {} ({} benchmarks), {:.0} s elapsed, {:.0} % of samples alternated",
                    engine.rounds_run(),
                    ids.len(),
                    started.elapsed().as_secs_f64(),
                    alternation * 100.0
                );
            }
        }
        // What the budget can still afford every open benchmark, for their thresholds.
        let mut judging = plan.judging;
        let left_s = (plan.budget_s - started.elapsed().as_secs_f64()).max(0.0);
        let more = (left_s / engine.predicted_round_s(&ids).max(1e-9)).floor() as usize;
        let so_far = rounds.values().map(|r| r.first.len()).min().unwrap_or(0);
        judging.affordable_rounds = Some(so_far + more);
        let outcomes = judge(&rounds, &plan.thresholds, &judging);
        targets = outcomes
            .iter()
            .map(|(id, outcome)| (id.clone(), outcome.need))
            .collect();
        let open: Vec<&Outcome> = outcomes
            .values()
            .filter(|outcome| outcome.need != Need::Nothing)
            .collect();
        if open.is_empty() {
            return Ok(finish(plan, outcomes, rounds, &engine, false, started));
        }
        // A confirmation starts with a full set; otherwise extend by a batch. When the budget
        // cannot afford all of that, the rounds it can afford still run: they serve every open
        // benchmark, and a set left short stays INCONCLUSIVE rather than unmeasured.
        let wanted = open
            .iter()
            .map(|outcome| match outcome.need {
                Need::Second if outcome.second.is_none() => plan.judging.min_rounds,
                _ => plan.judging.batch_rounds,
            })
            .max()
            .unwrap_or(plan.judging.batch_rounds);
        let ids_needing = |wanted: fn(Need) -> bool| {
            outcomes
                .iter()
                .filter(move |(_, outcome)| wanted(outcome.need))
                .map(|(id, _)| id)
        };
        let all_s = engine
            .predicted_round_s(ids_needing(|need| need != Need::Nothing))
            .max(1e-9);
        let left_s = plan.budget_s - started.elapsed().as_secs_f64();
        let affordable = |per_round_s: f64| (left_s.max(0.0) / per_round_s).floor() as usize;
        let confirming = open
            .iter()
            .filter(|outcome| outcome.need == Need::Second)
            .map(|outcome| {
                let done = outcome.second.map_or(0, |set| set.rounds);
                plan.judging
                    .min_rounds
                    .saturating_sub(done)
                    .max(plan.judging.batch_rounds)
            })
            .max();
        confirming_only = affordable(all_s) < wanted && confirming.is_some();
        let (per_round_s, wanted) = match confirming {
            Some(confirm_rounds) if confirming_only => (
                engine
                    .predicted_round_s(ids_needing(|need| need == Need::Second))
                    .max(1e-9),
                confirm_rounds,
            ),
            _ => (all_s, wanted),
        };
        pending_rounds = wanted.min(affordable(per_round_s));
        if pending_rounds == 0 {
            eprintln!(
                "budget: {} benchmark(s) undecided, a round would take about {per_round_s:.0} s, \
                 over the {:.0} s left of the {:.0} s budget (--budget)",
                open.len(),
                left_s.max(0.0),
                plan.budget_s
            );
            return Ok(finish(plan, outcomes, rounds, &engine, true, started));
        }
        if plan.verbose {
            if confirming_only {
                eprintln!(
                    "{} benchmark(s) undecided; the budget left goes to the confirmation sets: \
                     {pending_rounds} more rounds for them",
                    open.len()
                );
            } else {
                eprintln!(
                    "{} benchmark(s) undecided: {pending_rounds} more rounds for them",
                    open.len()
                );
            }
        }
    }
}

fn median_of(pairs: &[&Pair], side: impl Fn(&Pair) -> f64) -> Option<f64> {
    let values: Vec<f64> = pairs.iter().map(|pair| side(pair)).collect();
    stats::median(&values)
}

fn finish(
    plan: &PairedPlan,
    outcomes: BTreeMap<String, Outcome>,
    rounds: BTreeMap<String, Rounds>,
    engine: &Engine<'_>,
    budget_exhausted: bool,
    started: Instant,
) -> PairedResult {
    let comparisons = outcomes
        .into_iter()
        .map(|(id, outcome)| {
            let all: Vec<&Pair> = rounds[&id]
                .first
                .iter()
                .chain(&rounds[&id].second)
                .collect();
            let mut note = outcome.note.clone();
            if budget_exhausted && outcome.verdict == Verdict::Inconclusive {
                note.push_str(" (budget spent)");
            }
            BenchmarkComparison {
                id: id.clone(),
                verdict: outcome.verdict,
                threshold: outcome.threshold,
                baseline_median_ns: median_of(&all, |pair| pair.baseline_ns),
                candidate_median_ns: median_of(&all, |pair| pair.candidate_ns),
                ratio: outcome.first.map(|set| set.ratio),
                ratio_lower: outcome.first.and_then(|set| set.lower),
                ratio_upper: outcome.first.and_then(|set| set.upper),
                p_value: outcome.first.map(|set| set.p_value),
                p_adjusted: outcome.first_p_adjusted,
                rounds: Some(rounds[&id].first.len()),
                confirm_rounds: Some(rounds[&id].second.len()),
                rounds_needed: outcome.rounds_needed,
                round_sd: outcome.first.map(|set| set.round_sd),
                noise_floor: plan.floors.get(&id).copied(),
                note,
                ..BenchmarkComparison::new(&id, outcome.verdict, outcome.threshold)
            }
        })
        .collect();
    let ids: BTreeSet<&String> = plan.ids.iter().collect();
    PairedResult {
        comparisons,
        rounds_run: engine.rounds_run(),
        budget_exhausted,
        elapsed_s: started.elapsed().as_secs_f64(),
        rounds: rounds
            .into_iter()
            .filter(|(id, _)| ids.contains(id))
            .collect(),
        throughput: engine.throughput.clone(),
        turns: engine.turns.clone(),
    }
}
