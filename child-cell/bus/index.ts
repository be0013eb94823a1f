export { computeSubject, CONDUCTOR_QUEUE, conductorSubject, subjectToken } from './subjects.js';
