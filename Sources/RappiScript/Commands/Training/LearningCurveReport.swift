import Foundation
import RappiML

/// A boosted model's learning curve for the terminal: the mean training (and validation) log loss
/// after a few rounds, from the curve stored in the model file.
enum LearningCurveReport {
    /// About `points` rounds spread from 0 to the last one trained, plus the best round.
    static func lines(_ booster: GradientBoostingClassifier, points: Int = 6) -> [String] {
        let last = booster.trainLoss.count - 1
        guard last >= 1 else { return [] }
        var rounds = Set((0..<points).map { Int((Double($0) * Double(last) / Double(points - 1)).rounded()) })
        rounds.insert(booster.bestRound)
        let shown = rounds.sorted()
        var table = TextTable(["round"] + shown.map(String.init))
        table.add(["train"] + shown.map { String(format: "%.4f", booster.trainLoss[$0]) })
        if booster.validationLoss.count == booster.trainLoss.count {
            table.add(["validation"] + shown.map { String(format: "%.4f", booster.validationLoss[$0]) })
        }
        var out = ["learning curve (mean \(booster.lossName) after each round)"]
        out += table.render(indent: "  ").split(separator: "\n").map(String.init)
        if booster.parameters.earlyStopping != nil {
            out.append("  early stopping kept \(booster.bestRound) of \(last) rounds (lowest validation loss)")
        }
        return out
    }
}
