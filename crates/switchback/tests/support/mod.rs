pub mod compare;
pub mod corpus;
pub mod functions;
