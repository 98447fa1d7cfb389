export { listOutbox, mailJobs, queueMail } from './mail.service.ts';
export { mailOutbox } from './mail.table.ts';
