export { COMPUTE_BINARY, computeSubject, CONDUCTOR_QUEUE, conductorSubject, subjectToken } from './subjects.js';
