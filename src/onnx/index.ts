/** ONNX export of fitted pipelines and the onnxruntime-node session wrapper. */
export { exportOnnx, ONNX_OUTPUTS, type ExportOnnxInput } from "./export.js";
export { MISSING_CATEGORY } from "./export-features.js";
export {
  createOnnxSession,
  describeOnnxInputs,
  runOnnxSession,
  warmUpOnnxSession,
  type OnnxColumns,
  type OnnxOutput,
  type OnnxSession,
  type OnnxSessionOptions,
  type OnnxValueDescription,
} from "./session.js";
export { buildOnnxColumns, type RawInputSchema } from "./columns.js";
export {
  checkOnnxInputs,
  verifyOnnxModel,
  verifyOnnxModelInputs,
  type ExpectedOnnxInput,
} from "./check-inputs.js";
export {
  findOnnxOutputRoles,
  predictOnnx,
  type OnnxClassification,
  type OnnxOutputRoles,
  type OnnxRegression,
} from "./predict.js";
export { checkOnnxParity, compareOnnxPredictions, PARITY_TOLERANCE, type ParityReport } from "./parity.js";
