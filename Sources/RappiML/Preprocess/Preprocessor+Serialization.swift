/// Model-file encoding of a fitted `Preprocessor`: the same fit always gives the same bytes, and
/// a decoded preprocessor transforms exactly like the original.
extension Preprocessor {
    private static let magic = "rappi.preprocessor.v1"

    public func encode(to writer: inout BinaryWriter) {
        writer.write(Self.magic)
        writer.write(recipe.rawValue)
        writer.write(target)
        writer.write(standardize)
        writer.write(inputs.count)
        for input in inputs {
            writer.write(input.name)
            writer.write(input.type.rawValue)
            writer.write(input.completeInTraining)
        }
        writer.write(featureNames)
        writer.write(notes)
        writer.write(steps.count)
        for step in steps { step.encode(to: &writer) }
        standardizer.encode(to: &writer)
    }

    public init(from reader: inout BinaryReader) throws {
        func damaged(_ what: String) -> BinaryReader.Failure {
            BinaryReader.Failure(message: "model file is damaged: \(what)")
        }
        let magic = try reader.readString()
        guard magic == Self.magic else { throw damaged("expected a preprocessor, found '\(magic.prefix(40))'") }
        let recipeName = try reader.readString()
        guard let recipe = Recipe(rawValue: recipeName) else { throw damaged("unknown recipe '\(recipeName)'") }
        let target = try reader.readString()
        let standardize = try reader.readBool()
        let inputCount = try reader.readInt()
        guard inputCount >= 0, inputCount <= reader.bytes.count - reader.offset else { throw damaged("bad input count \(inputCount)") }
        var inputs: [InputColumn] = []
        for _ in 0..<inputCount {
            let name = try reader.readString()
            let typeName = try reader.readString()
            guard let type = ColumnType(rawValue: typeName) else { throw damaged("unknown column type '\(typeName)'") }
            inputs.append(InputColumn(name: name, type: type, completeInTraining: try reader.readBool()))
        }
        let featureNames = try reader.readStrings()
        let notes = try reader.readStrings()
        let stepCount = try reader.readInt()
        guard stepCount >= 0, stepCount <= reader.bytes.count - reader.offset else { throw damaged("bad step count \(stepCount)") }
        var steps: [FeatureStep] = []
        for _ in 0..<stepCount { steps.append(try FeatureStep(from: &reader)) }
        let standardizer = try Standardizer(from: &reader)
        guard steps.flatMap(\.featureNames) == featureNames else { throw damaged("feature names do not match the preprocessing steps") }
        guard standardizer.columns.allSatisfy({ $0 >= 0 && $0 < featureNames.count }) else { throw damaged("standardizer column out of range") }
        self.init(recipe: recipe, target: target, standardize: standardize, inputs: inputs, featureNames: featureNames,
                  notes: notes, steps: steps, standardizer: standardizer)
    }
}
